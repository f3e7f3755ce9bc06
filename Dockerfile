# Clusterfund: build with the Swift 6 toolchain, run on a slim image with only libpq5 and libqrencode4.
# docker compose up builds this; see docker-compose.yml. No Docker engine runs where the tests run, so
# scripts/deployment-check assembles this image's layout by hand and starts it: change both together.

FROM swift:6.3-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libpq-dev libqrencode-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /build
# Resolve dependencies first so source edits do not refetch them.
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
COPY Tests ./Tests
# The Swift runtime is linked statically, so the runtime image needs only libpq, libqrencode and the C library.
# Every module's resource bundle goes beside the binary (Server's templates, Store's common-password list):
# SwiftPM's Bundle.module stops the process when its bundle is missing.
RUN swift build -c release --static-swift-stdlib --product clusterfund \
    && mkdir -p /staging \
    && cp "$(swift build -c release --show-bin-path)/clusterfund" /staging/ \
    && cp -R "$(swift build -c release --show-bin-path)"/*.resources /staging/

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 libqrencode4 ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /app --shell /usr/sbin/nologin clusterfund
COPY --from=build /staging /app
COPY sql /app/sql
WORKDIR /app
ENV CLUSTERFUND_SQL_DIR=/app/sql \
    CLUSTERFUND_RESOURCES_DIR=/app/clusterfund_Server.resources/Resources \
    LOG_FORMAT=json
USER clusterfund
EXPOSE 8080
ENTRYPOINT ["/app/clusterfund"]
# Serves as clusterfund_app; migrations run as a one-off job with the owner's address (docker-compose.yml: migrate).
CMD ["serve", "--hostname", "0.0.0.0", "--port", "8080"]
