# The monitor daemon. Data (the SQLite corpus) lives on the /data volume.
#   docker build -t kashmir-monitor .
#   docker run -d -v monitor-data:/data -e SLACK_WEBHOOK_URL=... kashmir-monitor
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    MONITOR_CONFIG=/app/config/monitor.toml MONITOR_DB=/data/monitor.db

RUN useradd --create-home --uid 10001 monitor && mkdir -p /data && chown monitor /data
WORKDIR /app
COPY pyproject.toml README.md ./
COPY monitor ./monitor
COPY config ./config
COPY data/samples ./data/samples
RUN pip install --no-cache-dir .

USER monitor
VOLUME ["/data"]
HEALTHCHECK --interval=60s --timeout=10s --start-period=60s --retries=3 \
    CMD ["monitor", "status"]
STOPSIGNAL SIGTERM
CMD ["monitor", "run"]
