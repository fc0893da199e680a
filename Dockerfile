# kmswatch: one static binary on a distroless base, as a non-root user, on a read-only root file
# system (it writes nothing: logs go to stderr, state lives in AWS).
#   docker build -t kmswatch .
#   docker run --read-only -v "$PWD/monitor.yaml:/etc/kmswatch/monitor.yaml:ro" kmswatch
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
# CGO off: a static binary that needs no libc from the base image.
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/kmswatch ./cmd/kmswatch

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/kmswatch /kmswatch
COPY examples/monitor.yaml /etc/kmswatch/monitor.yaml
# distroless's nonroot user; numeric so that runtimes can check it is not root.
USER 65532:65532
# The operations endpoints listen on loopback only: /status names every resource and its state,
# and nothing outside the task needs it. A health check, or a metrics agent in the same network
# namespace (an ECS task in awsvpc mode, a Kubernetes pod), reaches 127.0.0.1; publish metrics
# through such an agent rather than by binding every interface.
# No shell or curl in the image: the binary checks its own health endpoint.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s CMD ["/kmswatch", "healthcheck", "--url", "http://127.0.0.1:9090/healthz"]
ENTRYPOINT ["/kmswatch"]
CMD ["run", "-f", "/etc/kmswatch/monitor.yaml", "--listen", "127.0.0.1:9090"]
