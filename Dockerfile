# The Jixiao service: FastAPI on uvicorn, SQLite and a local data folder by default.
# Build: docker build -t jixiao .   Run: docker run -p 8000:8000 -v jixiao-data:/data jixiao
# The same image runs Celery workers (`jixiao worker` with JIXIAO_QUEUE__BROKER_URL set):
# see compose.yaml and docs/scaling.md.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    JIXIAO_DATA_DIR=/data

# OpenCV's headless wheel and onnxruntime need these shared libraries at run time;
# LibreOffice Writer (no GUI) converts legacy Word .doc, WPS and RTF uploads to DOCX,
# Calc converts OpenDocument .ods (and WPS .et files xlrd cannot read) to XLSX.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libglib2.0-0 libgomp1 \
       libreoffice-writer-nogui libreoffice-calc-nogui \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# the locked dependencies first (every file checked against its hash), then the project
# itself without resolving anything again: the same versions on every build
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock
COPY pyproject.toml README.md ./
COPY service ./service
COPY prompts ./prompts
RUN pip install ".[postgres,scale,s3]" --no-deps

RUN useradd --create-home --uid 1000 jixiao && mkdir -p /data && chown jixiao /data
USER jixiao
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["jixiao", "serve", "--host", "0.0.0.0", "--port", "8000"]
