# Build stage: the official Rust image; the seed and migrations are compiled into the binary.
FROM rust:1-bookworm AS builder
WORKDIR /src
COPY . .
RUN cargo build --release --locked --package industry-facts

# Runtime stage: only the binary, run as an unprivileged user with its database on a volume.
FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --user-group --home-dir /data app \
    && mkdir -p /data && chown app:app /data
COPY --from=builder /src/target/release/industry-facts /usr/local/bin/industry-facts
USER app
WORKDIR /data
ENV INDUSTRY_FACTS_ADDR=0.0.0.0:8080 \
    INDUSTRY_FACTS_DB=/data/industry-facts.db \
    RUST_LOG=industry_facts=info,tower_http=info
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
    CMD ["industry-facts", "healthcheck"]
ENTRYPOINT ["industry-facts"]
CMD ["serve"]
