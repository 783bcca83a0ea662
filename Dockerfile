# luaserve in a small image: a static binary (no C library needed) on
# distroless/static, which has CA certificates, time zones and a non-root
# user, and no shell or package manager.
#
#   docker build -t luaserve --build-arg VERSION=1.2.3 --build-arg COMMIT=$(git rev-parse --short=12 HEAD) .
#   docker run --rm -p 8080:8080 -v "$PWD/app:/app:ro" luaserve /app/routes.lua
#
# Without a script it serves the embedded example. Flags can come from the
# environment: -e LUASERVE_WORKERS=8 -e LUASERVE_LOG_FORMAT=json.

FROM golang:1.26-bookworm AS build
WORKDIR /src
# Modules first: this layer is reused until go.mod or go.sum change.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=0.0.0-dev
ARG COMMIT=unknown
ARG BUILT=
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/luaserve/luaserve/engine.Version=${VERSION} -X main.commit=${COMMIT} -X main.built=${BUILT}" \
      -o /out/luaserve ./cmd/luaserve \
 && /out/luaserve version

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/luaserve /usr/local/bin/luaserve
# The user "nonroot" (65532): never root, and no need to be for port 8080.
USER 65532:65532
WORKDIR /app
ENV LUASERVE_ADDR=:8080 \
    LUASERVE_LOG_FORMAT=json
EXPOSE 8080
# No shell in the image: the binary probes itself (exit 0 when the server
# answers below 500 on LUASERVE_ADDR).
HEALTHCHECK --interval=30s --timeout=5s --start-period=5s --retries=3 \
  CMD ["/usr/local/bin/luaserve", "health", "-timeout", "4s"]
# SIGTERM (docker stop) shuts down gracefully; -shutdown-timeout (10s)
# stays under docker's default 10s grace only just: give it more with
# docker stop -t 15 or lower LUASERVE_SHUTDOWN_TIMEOUT.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/luaserve"]
