FROM python:3.11-slim

# The bot runs as an unprivileged user; its database, crypto store and config live on the
# /data volume (README, "Running for a real group"; deploy/docker-compose.yml runs it).
ENV PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY commands ./commands
COPY storage ./storage
# The project from its own source; its dependencies' versions are bounded in pyproject.toml.
# hadolint ignore=DL3013
RUN pip install --no-cache-dir ".[e2e]" \
    && useradd --uid 10001 --create-home coopbot \
    && mkdir /data && chown 10001:10001 /data
USER 10001
WORKDIR /data
VOLUME ["/data"]
# Mount the config at /data/config.toml; the database lives beside it. The health check reads
# the database, so it works whether or not [bot] http_listen is set.
HEALTHCHECK --interval=1m --timeout=30s --start-period=3m --retries=3 \
    CMD ["coopbot", "health", "--config", "/data/config.toml"]
ENTRYPOINT ["coopbot"]
CMD ["run", "--config", "/data/config.toml"]
