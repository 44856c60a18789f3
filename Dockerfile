FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY commands ./commands
COPY storage ./storage
RUN pip install --no-cache-dir ".[e2e]"
RUN useradd --create-home coopbot && mkdir /data && chown coopbot /data
USER coopbot
WORKDIR /data
VOLUME ["/data"]
# Mount the config at /data/config.toml; the database lives beside it.
ENTRYPOINT ["coopbot"]
CMD ["run", "--config", "/data/config.toml"]
