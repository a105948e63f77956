# Build the manager binary.
#
# Both base images are pinned by digest (a tag moves; a digest is the exact image the
# release was built and scanned with) and can be overridden with build arguments, e.g.
# a mirror: docker build --build-arg BASE_IMAGE=registry.example/distroless/static@sha256:… .
# To refresh a pin, resolve the tag's multi-arch index digest and replace it here:
#   crane digest golang:1.26.5
#   crane digest gcr.io/distroless/static:nonroot
# (or: docker buildx imagetools inspect <image> --format '{{json .Manifest.Digest}}').
# The Go image's version must be at least go.mod's go line: it sets GOTOOLCHAIN=local.
ARG GOLANG_IMAGE=golang:1.26.5@sha256:3aff6657219a4d9c14e27fb1d8976c49c29fddb70ba835014f477e1c70636647
ARG BASE_IMAGE=gcr.io/distroless/static:nonroot@sha256:e2e927ec666bae08560abb3c55d0659eceabb657f56b6782ab500a9fc7f555e3

# The builder runs on the build machine's platform and cross-compiles (CGO_ENABLED=0),
# so a multi-arch build needs no emulation.
FROM --platform=$BUILDPLATFORM ${GOLANG_IMAGE} AS builder
ARG TARGETOS
ARG TARGETARCH
# The release version stamped into the binary (make docker-build passes the chart's appVersion).
ARG VERSION=devel
WORKDIR /workspace
COPY go.mod go.sum ./
RUN go mod download
COPY cmd/ cmd/
COPY api/ api/
COPY internal/ internal/
RUN CGO_ENABLED=0 GOOS=${TARGETOS:-linux} GOARCH=${TARGETARCH} go build -trimpath \
    -ldflags="-s -w -X github.com/hoxton-operator/hoxton-operator/internal/version.version=${VERSION}" -o manager ./cmd/manager

# A distroless image: no shell, no package manager, non-root.
FROM ${BASE_IMAGE}
WORKDIR /
COPY --from=builder /workspace/manager .
USER 65532:65532
ENTRYPOINT ["/manager"]
