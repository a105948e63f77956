# hoxton-operator Makefile (kubebuilder layout). Tools are installed into ./bin at pinned
# versions through the Go module proxy on first use; nothing is downloaded from release
# pages, so every target works offline as long as the Go module proxy is reachable.

# One version for everything built from this checkout: the chart's appVersion. It is
# stamped into both binaries (internal/version), tags the image and is what the chart
# and config/manager install; never "latest".
VERSION ?= $(shell sed -n 's/^appVersion: *"*\([^"]*\)"*$$/\1/p' charts/hoxton-operator/Chart.yaml)
LDFLAGS ?= -X github.com/hoxton-operator/hoxton-operator/internal/version.version=$(VERSION)
IMG ?= ghcr.io/hoxton-operator/hoxton-operator:$(VERSION)
CONTAINER_TOOL ?= docker

# Tool versions (pinned; each one's go.mod asks for go 1.26 or older).
CONTROLLER_TOOLS_VERSION ?= v0.23.0
KUSTOMIZE_VERSION ?= v5.8.2
GOLANGCI_LINT_VERSION ?= v2.15.0
SETUP_ENVTEST_VERSION ?= v0.25.1
ACTIONLINT_VERSION ?= v1.7.12
# Kubernetes version of the envtest control plane, matching the k8s.io/* client libraries.
ENVTEST_K8S_VERSION ?= 1.37.2

LOCALBIN ?= $(shell pwd)/bin
CONTROLLER_GEN ?= $(LOCALBIN)/controller-gen-$(CONTROLLER_TOOLS_VERSION)
KUSTOMIZE ?= $(LOCALBIN)/kustomize-$(KUSTOMIZE_VERSION)
GOLANGCI_LINT ?= $(LOCALBIN)/golangci-lint-$(GOLANGCI_LINT_VERSION)
SETUP_ENVTEST ?= $(LOCALBIN)/setup-envtest-$(SETUP_ENVTEST_VERSION)
ACTIONLINT ?= $(LOCALBIN)/actionlint-$(ACTIONLINT_VERSION)

# The envtest binaries live where setup-envtest keeps them.
ENVTEST_DIR = $(or $(XDG_DATA_HOME),$(HOME)/.local/share)/kubebuilder-envtest/k8s/$(ENVTEST_K8S_VERSION)-$(shell go env GOOS)-$(shell go env GOARCH)

# Tests run with the race detector; TEST_FLAGS adds to `go test`.
TEST_FLAGS ?=
GO_TEST_TIMEOUT ?= 30m

SHELL = /usr/bin/env bash -o pipefail
.SHELLFLAGS = -ec

.PHONY: all
all: build

##@ General

.PHONY: help
help: ## Show this help.
	@awk 'BEGIN {FS = ":.*##"; printf "\nUsage:\n  make \033[36m<target>\033[0m\n"} /^[a-zA-Z_0-9-]+:.*?##/ { printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2 } /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) } ' $(MAKEFILE_LIST)

##@ Development

.PHONY: manifests
manifests: controller-gen ## Generate CRDs and RBAC from the markers.
	$(CONTROLLER_GEN) rbac:roleName=manager-role crd:allowDangerousTypes=true paths="./api/..." paths="./internal/..." output:crd:artifacts:config=config/crd/bases output:rbac:artifacts:config=config/rbac
	go run ./hack/secret-writer-role config/rbac/role.yaml config/rbac/secret_writer_role.yaml
	go run ./hack/namespaced-role config/rbac/role.yaml config/namespaced/tenant/role.yaml
	go run ./hack/user-roles config/crd/bases config/rbac
	go run ./hack/argocd-health config/crd/bases config/argocd charts/hoxton-operator/Chart.yaml docs/operations.md

.PHONY: generate
generate: controller-gen ## Generate DeepCopy methods.
	$(CONTROLLER_GEN) object:headerFile="hack/boilerplate.go.txt" paths="./api/..."

.PHONY: fmt
fmt: ## Run go fmt.
	go fmt ./...

.PHONY: vet
vet: ## Run go vet.
	go vet ./...

.PHONY: lint
lint: golangci-lint ## Run golangci-lint (config: .golangci.yml), also on test/e2e and the test modules.
	$(GOLANGCI_LINT) run ./...
	$(GOLANGCI_LINT) run --build-tags e2e ./test/e2e/...
	cd test/helm && $(GOLANGCI_LINT) run --config ../../.golangci.yml ./...
	cd test/prometheus && $(GOLANGCI_LINT) run --config ../../.golangci.yml ./...

.PHONY: lint-fix
lint-fix: golangci-lint ## Run golangci-lint and apply its fixes.
	$(GOLANGCI_LINT) run --fix ./...

.PHONY: envtest
envtest: setup-envtest ## Provide kube-apiserver, etcd and kubectl for envtest (downloads, or builds them offline).
	@ENVTEST_K8S_VERSION=$(ENVTEST_K8S_VERSION) SETUP_ENVTEST=$(SETUP_ENVTEST) hack/envtest/install.sh >/dev/null

.PHONY: test
test: manifests generate fmt vet envtest ## Run all tests (unit, fake API, contract, envtest).
	KUBEBUILDER_ASSETS="$(ENVTEST_DIR)" go test -race -timeout $(GO_TEST_TIMEOUT) $(TEST_FLAGS) ./...

.PHONY: demo
demo: manifests envtest ## Run the operator on an embedded control plane and fake HoxtonAi API with the samples (DEMO_MANIFESTS=dir, DEMO_ONCE=1).
	KUBEBUILDER_ASSETS="$(ENVTEST_DIR)" go run ./hack/demo --manifests "$(or $(DEMO_MANIFESTS),config/samples)" $(if $(DEMO_ONCE),--once)

.PHONY: bench
bench: manifests envtest ## Run the benchmarks in test/bench: fleets of 100 and 1,000 objects against the floor; the manager binary with 10,000 (made by create, kubectl apply and server-side apply), a restart, 20,000; a spec change under saturating polls (an hour or more on two shared cores).
	KUBEBUILDER_ASSETS="$(ENVTEST_DIR)" go test -run '^$$' -bench . -benchtime 1x -timeout 150m ./test/bench/...

.PHONY: chaos
chaos: manifests envtest ## Run the full chaos suite in test/chaos (CHAOS_SEED=n replays a run); `make test` runs its short profile.
	KUBEBUILDER_ASSETS="$(ENVTEST_DIR)" CHAOS_PROFILE=full go test -count=1 -v -run TestChaos -timeout 30m ./test/chaos/... | grep -v '^=== '

.PHONY: test-e2e
test-e2e: build envtest ## Run the end-to-end suite: the built bin/manager and bin/hoxtonctl, kubectl and an envtest control plane.
	KUBEBUILDER_ASSETS="$(ENVTEST_DIR)" go test -tags e2e -count 1 -timeout 15m $(TEST_FLAGS) ./test/e2e/...

# make test-cluster: where its node binaries are kept between runs, and its work folder.
CLUSTER_NODE_BIN_DIR = $(or $(XDG_DATA_HOME),$(HOME)/.local/share)/hoxton-test-cluster/$(ENVTEST_K8S_VERSION)-$(shell go env GOOS)-$(shell go env GOARCH)
CLUSTER_WORK ?= $(LOCALBIN)/cluster
FAKE_IMG ?= ghcr.io/hoxton-operator/hoxtonctl:$(VERSION)

# The environment of the tests in test/helm/cluster, run inside hack/cluster/cluster.sh.
CLUSTER_TEST_ENV = ENVTEST_DIR="$(ENVTEST_DIR)" NODE_BIN_DIR="$(CLUSTER_NODE_BIN_DIR)" IMAGES_DIR="$(CLUSTER_WORK)/images" \
  HOXTON_TEST_CLUSTER=1 KUBECTL="$(ENVTEST_DIR)/kubectl" HOXTON_TEST_MANAGER_IMAGE="$(IMG)" HOXTON_TEST_FAKE_IMAGE="$(FAKE_IMG)"

.PHONY: cluster-images
cluster-images: manifests envtest build-installer
	ENVTEST_K8S_VERSION=$(ENVTEST_K8S_VERSION) NODE_BIN_DIR="$(CLUSTER_NODE_BIN_DIR)" WORK="$(CLUSTER_WORK)" \
	  IMG="$(IMG)" FAKE_IMG="$(FAKE_IMG)" LDFLAGS="$(LDFLAGS)" hack/cluster/build.sh

.PHONY: test-cluster
test-cluster: cluster-images ## Install the chart and dist/install.yaml on a real single-node cluster on this machine (root, offline; hack/cluster) and check them as users would.
	cd test/helm/cluster && $(CLUSTER_TEST_ENV) HOXTON_TEST_INSTALL_YAML="$(CURDIR)/dist/install.yaml" HOXTON_TEST_SCRAPE_OUT="$(CLUSTER_WORK)/scrape.txt" \
	  ../../../hack/cluster/cluster.sh run -- "$(CLUSTER_WORK)/cluster.test" -test.v -test.run '^TestCluster$$' -test.timeout 25m $(TEST_FLAGS)
	cd test/prometheus && HOXTON_SCRAPE_FILE="$(CLUSTER_WORK)/scrape.txt" go test -count 1 -run TestAlertsEvaluateOnAScrape -v ./...

# Argo CD for make test-gitops (hack/gitops/build-argocd.sh says why this version).
ARGOCD_VERSION ?= v3.2.11
ARGOCD_BIN = $(or $(XDG_DATA_HOME),$(HOME)/.local/share)/hoxton-test-cluster/argocd-$(ARGOCD_VERSION)
# Application deletions of make test-gitops (CI runs a short profile).
GITOPS_DELETIONS ?= 20

.PHONY: test-gitops
test-gitops: cluster-images kustomize ## Argo CD (built from the module proxy, run on the host) syncing every kind from Git into the real cluster: health, drift, changes, pruning, overlays, GITOPS_DELETIONS Application deletions.
	ARGOCD_VERSION=$(ARGOCD_VERSION) ARGOCD_BIN="$(ARGOCD_BIN)" hack/gitops/build-argocd.sh
	command -v redis-server >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server >/dev/null
	cd test/helm/cluster && $(CLUSTER_TEST_ENV) HOXTON_TEST_ARGOCD="$(ARGOCD_BIN)" HOXTON_TEST_REDIS="$$(command -v redis-server)" \
	  HOXTON_TEST_ARGOCD_CRDS="$$(GOFLAGS=-mod=mod go mod download -json github.com/argoproj/argo-cd/v3@$(ARGOCD_VERSION) | sed -n 's/^\t"Dir": "\(.*\)",$$/\1/p')/manifests/crds" \
	  HOXTON_TEST_KUSTOMIZE="$(KUSTOMIZE)" HOXTON_GITOPS_DELETIONS=$(GITOPS_DELETIONS) \
	  ../../../hack/cluster/cluster.sh run -- "$(CLUSTER_WORK)/cluster.test" -test.v -test.run '^TestGitOps$$' -test.timeout 40m $(TEST_FLAGS)

##@ Helm chart

CHART_DIR = charts/hoxton-operator

.PHONY: helm
helm: manifests ## Copy the CRDs, the alerts and the manager's RBAC rules (its role and its secret writer role) from config/ into the Helm chart.
	rm -f $(CHART_DIR)/crds/*.yaml
	cp config/crd/bases/*.yaml $(CHART_DIR)/crds/
	cp config/prometheus/rules.yaml $(CHART_DIR)/files/prometheus-rules.yaml
	{ echo '{{/* Generated by `make helm` from config/rbac/role.yaml: do not edit. */}}'; \
	  echo '{{- define "hoxton-operator.rules" -}}'; \
	  sed -n '/^rules:/,$$p' config/rbac/role.yaml | tail -n +2; \
	  echo '{{- end }}'; } > $(CHART_DIR)/templates/_rules.tpl
	{ echo '{{/* Generated by `make helm` from config/rbac/secret_writer_role.yaml: do not edit. */}}'; \
	  echo '{{- define "hoxton-operator.secretWriterRules" -}}'; \
	  sed -n '/^rules:/,$$p' config/rbac/secret_writer_role.yaml | tail -n +2; \
	  echo '{{- end }}'; } > $(CHART_DIR)/templates/_secret_writer_rules.tpl
	{ echo '{{/* Generated by `make helm` from config/rbac/editor_role.yaml and viewer_role.yaml: do not edit. */}}'; \
	  for r in editor viewer; do \
	    echo "{{- define \"hoxton-operator.$${r}Rules\" -}}"; \
	    sed -n '/^rules:/,$$p' config/rbac/$${r}_role.yaml | tail -n +2; \
	    echo '{{- end }}'; \
	  done; } > $(CHART_DIR)/templates/_user_rules.tpl

.PHONY: test-helm
test-helm: helm envtest ## Lint the chart, check it matches config/, and dry-run its output on an envtest control plane.
	cd test/helm && KUBEBUILDER_ASSETS="$(ENVTEST_DIR)" go test -count 1 -timeout 10m $(TEST_FLAGS) ./...

.PHONY: test-prometheus
test-prometheus: envtest ## Load config/prometheus rules with Prometheus's parser; check the rules' and config/grafana's metrics against the manager's registry.
	cd test/prometheus && KUBEBUILDER_ASSETS="$(ENVTEST_DIR)" go test -count 1 -timeout 10m $(TEST_FLAGS) ./...

##@ Build

.PHONY: build
build: manifests generate fmt vet ## Build the manager and hoxtonctl binaries.
	go build -ldflags "$(LDFLAGS)" -o bin/manager ./cmd/manager
	go build -ldflags "$(LDFLAGS)" -o bin/hoxtonctl ./cmd/hoxtonctl

.PHONY: run
run: manifests generate fmt vet ## Run the manager against the current kubeconfig (a real cluster and HoxtonAi). It elects a leader with a deployed operator (lease in hoxton-operator-system, which must exist); RUN_ARGS adds flags.
	go run ./cmd/manager $(RUN_ARGS)

.PHONY: docker-build
docker-build: ## Build the manager image.
	$(CONTAINER_TOOL) build --build-arg VERSION=$(VERSION) -t $(IMG) .

.PHONY: docker-push
docker-push: ## Push the manager image.
	$(CONTAINER_TOOL) push $(IMG)

.PHONY: build-installer
build-installer: manifests generate kustomize ## Write dist/install.yaml: CRDs, RBAC and the manager Deployment.
	mkdir -p dist
	$(call kustomize-with-image,config/default) > dist/install.yaml

##@ Deployment

ifndef ignore-not-found
  ignore-not-found = false
endif

.PHONY: install
install: manifests kustomize ## Install the CRDs into the current cluster.
	$(KUSTOMIZE) build config/crd | kubectl apply --server-side -f -

.PHONY: uninstall
uninstall: manifests kustomize ## DANGER: delete the CRDs, so every hoxtonai.dev object in the cluster and, through the finalizers, what they manage in HoxtonAi (docs/operations.md, "Uninstall").
	$(KUSTOMIZE) build config/crd | kubectl delete --ignore-not-found=$(ignore-not-found) -f -

.PHONY: deploy
deploy: manifests kustomize ## Deploy the manager to the current cluster.
	$(call kustomize-with-image,config/default) | kubectl apply --server-side -f -

.PHONY: undeploy
undeploy: kustomize ## Remove the manager and its RBAC; keep the CRDs, the objects and the namespace (its ClusterConnection Secrets).
	$(MAKE) -s undeploy-manifests | kubectl delete --ignore-not-found=$(ignore-not-found) -f -

##@ Release

.PHONY: lint-workflows
lint-workflows: actionlint ## Lint .github/workflows (actionlint) and dry-run the release's own scripts: the tag check and the krew manifest.
	$(ACTIONLINT)
	.github/scripts/check-tag.sh v$(VERSION)
	! .github/scripts/check-tag.sh v0.0.0-not-the-chart 2>/dev/null
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	for platform in linux_amd64 linux_arm64 darwin_amd64 darwin_arm64; do \
	  echo "$$platform" > "$$tmp/hoxtonctl_$(VERSION)_$$platform.tar.gz"; \
	done && \
	.github/scripts/krew-manifest.sh v$(VERSION) hoxton-operator/hoxton-operator "$$tmp" > "$$tmp/hoxton.yaml" && \
	grep -q "^  version: v$(VERSION)$$" "$$tmp/hoxton.yaml"

# undeploy-manifests prints what `make undeploy` deletes (test/install checks it keeps
# the CRDs: deleting them deletes every object, and through the finalizers, every
# HoxtonAi object).
.PHONY: undeploy-manifests
undeploy-manifests: kustomize
	@$(call kustomize-without,config/default,CustomResourceDefinition Namespace)

.PHONY: actionlint
actionlint: $(ACTIONLINT)
$(ACTIONLINT): | $(LOCALBIN)
	$(call go-install-tool,$(ACTIONLINT),github.com/rhysd/actionlint/cmd/actionlint,$(ACTIONLINT_VERSION))

# kustomize-without builds the kustomization $(1) without the objects of the kinds $(2)
# (a kustomization beside a copy of config/ whose patches delete them; kustomize refuses
# absolute paths).
define kustomize-without
tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && cp -r config "$$tmp/" && mkdir "$$tmp/without" && \
{ echo 'resources: [../$(1)]'; echo 'patches:'; \
  for kind in $(2); do \
    printf '  - target: {kind: %s}\n    patch: |\n      $$patch: delete\n      apiVersion: v1\n      kind: %s\n      metadata: {name: any}\n' "$$kind" "$$kind"; \
  done; } > "$$tmp/without/kustomization.yaml" && \
$(KUSTOMIZE) build "$$tmp/without"
endef

##@ Tools

$(LOCALBIN):
	mkdir -p $(LOCALBIN)

.PHONY: controller-gen
controller-gen: $(CONTROLLER_GEN)
$(CONTROLLER_GEN): | $(LOCALBIN)
	$(call go-install-tool,$(CONTROLLER_GEN),sigs.k8s.io/controller-tools/cmd/controller-gen,$(CONTROLLER_TOOLS_VERSION))

.PHONY: kustomize
kustomize: $(KUSTOMIZE)
$(KUSTOMIZE): | $(LOCALBIN)
	$(call go-install-tool,$(KUSTOMIZE),sigs.k8s.io/kustomize/kustomize/v5,$(KUSTOMIZE_VERSION))

.PHONY: golangci-lint
golangci-lint: $(GOLANGCI_LINT)
$(GOLANGCI_LINT): | $(LOCALBIN)
	$(call go-install-tool,$(GOLANGCI_LINT),github.com/golangci/golangci-lint/v2/cmd/golangci-lint,$(GOLANGCI_LINT_VERSION))

.PHONY: setup-envtest
setup-envtest: $(SETUP_ENVTEST)
$(SETUP_ENVTEST): | $(LOCALBIN)
	$(call go-install-tool,$(SETUP_ENVTEST),sigs.k8s.io/controller-runtime/tools/setup-envtest,$(SETUP_ENVTEST_VERSION))

# kustomize-with-image builds the kustomization $(1) with the manager image set to
# $(IMG), in a copy of config/, so that the checkout is left as it was.
define kustomize-with-image
tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && cp -r config "$$tmp/" && \
(cd "$$tmp/config/manager" && $(KUSTOMIZE) edit set image controller=$(IMG)) && \
$(KUSTOMIZE) build "$$tmp/$(1)"
endef

# go-install-tool installs package $2 at version $3 as $1 (a versioned file name, so a
# version bump in this Makefile installs the new one) and links the plain name to it.
define go-install-tool
@[ -f "$(1)" ] || { \
set -e; \
package=$(2)@$(3) ;\
echo "Installing $${package}" ;\
rm -f "$(1)" ;\
GOBIN="$(LOCALBIN)" go install "$${package}" ;\
name=$$(basename "$(2)"); case "$$name" in v[0-9]*) name=$$(basename "$$(dirname "$(2)")");; esac ;\
mv "$(LOCALBIN)/$$name" "$(1)" ;\
} ;\
ln -sf "$$(basename "$(1)")" "$$(echo "$(1)" | sed "s/-$(3)$$//")"
endef
