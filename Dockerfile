# Multi-stage build: a static, CGO-free binary on a distroless base, run as
# a non-root user. Build:  docker build -t langran .
# Run:    docker run -p 8080:8080 -e LANGRAN_ENV=production \
#           -e LANGRAN_DATABASE_URL='mysql://langran:secret@db:3306/langran' langran

FROM golang:1.26-bookworm AS build
WORKDIR /src
# Modules first, so that code changes do not re-download them.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags="-s -w" -o /out/langran . \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
# The nonroot user (uid 65532) owns /data, where an embedded SQLite file can
# live when no MySQL URL is given (demo and single-node use only).
COPY --from=build --chown=65532:65532 /out/data /data
COPY --from=build /out/langran /usr/local/bin/langran
USER 65532:65532
WORKDIR /data
ENV LANGRAN_ADDR=:8080 \
    LANGRAN_DATABASE_URL=sqlite:/data/langran.db
EXPOSE 8080
# Container orchestrators should probe /healthz (liveness) and /readyz (readiness).
ENTRYPOINT ["/usr/local/bin/langran"]
CMD ["serve"]
