# The `linli` image: the one binary, with the web app embedded, on a small non-root base.
#
#   docker build -t linli .
#   docker run -p 8080:8080 linli            # the embedded default: SQLite in /tmp, demo data
#
# The build needs Node.js (the web app is built by api/build.rs) beside Rust: it is taken from the Node image.

FROM node:20-bookworm-slim AS node

FROM rust:1.95-bookworm AS build
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=node /usr/local/lib/node_modules /usr/local/lib/node_modules
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm
WORKDIR /src
COPY . .
# The registry and the build cache survive between builds of the image (BuildKit), so a rebuild is quick.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/root/.npm \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin linli \
    && install -D target/release/linli /out/linli

# glibc and libgcc, nothing else: no shell, no package manager; runs as the nonroot user (65532).
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /out/linli /usr/local/bin/linli
ENV LINLI_BIND=0.0.0.0:8080 LINLI_DATA_DIR=/tmp/linli
EXPOSE 8080 9090
USER nonroot
ENTRYPOINT ["/usr/local/bin/linli"]
CMD ["serve"]
