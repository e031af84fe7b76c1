# syntax=docker/dockerfile:1
# Build stage: resolve the locked dependencies and build the wheel.
FROM python:3.12-slim AS build
RUN pip install --no-cache-dir "uv==0.13.9"
WORKDIR /src
COPY pyproject.toml uv.lock README.md ./
COPY src ./src
RUN uv export --frozen --no-dev --no-emit-project --no-hashes -o /dist/requirements.txt \
 && uv build --wheel --out-dir /dist

# Runtime stage: only the installed package, as a non-root user.
FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY --from=build /dist /dist
RUN pip install --no-cache-dir -r /dist/requirements.txt \
 && pip install --no-cache-dir --no-deps /dist/*.whl \
 && rm -rf /dist \
 && useradd --create-home --uid 10001 readiness
USER readiness
WORKDIR /work
EXPOSE 8000
ENTRYPOINT ["agentcore-readiness"]
CMD ["serve"]
