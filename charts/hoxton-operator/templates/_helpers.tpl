{{/* The chart's name. */}}
{{- define "hoxton-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's full name, used for every object. */}}
{{- define "hoxton-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else if contains (include "hoxton-operator.name" .) .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name (include "hoxton-operator.name" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "hoxton-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "hoxton-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The shards the release runs a manager for, as JSON: "" (the default shard,
the objects without a shard label) and .Values.shards. */}}
{{- define "hoxton-operator.shards" -}}
{{- prepend (default (list) .Values.shards) "" | toJson }}
{{- end }}

{{/* The name of one shard's objects (.shard set by the templates that range over
the shards); the default shard keeps the release's full name. */}}
{{- define "hoxton-operator.shardFullname" -}}
{{- if .shard }}
{{- printf "%s-%s" (include "hoxton-operator.fullname" .) .shard | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- include "hoxton-operator.fullname" . }}
{{- end }}
{{- end }}

{{/* Tells one shard's pods, Services and ServiceMonitors from the other shards'. */}}
{{- define "hoxton-operator.shardLabel" -}}
hoxtonai.dev/manager-shard: {{ .shard | default "default" | quote }}
{{- end }}

{{- define "hoxton-operator.shardSelectorLabels" -}}
{{ include "hoxton-operator.selectorLabels" . }}
{{ include "hoxton-operator.shardLabel" . }}
{{- end }}

{{- define "hoxton-operator.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "hoxton-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: hoxton-operator
{{- end }}

{{- define "hoxton-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "hoxton-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* repository@digest when a digest is set, else repository:tag (the appVersion by default). */}}
{{- define "hoxton-operator.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/*
GOMEMLIMIT in bytes: goMemLimitRatio of resources.limits.memory (Ki, Mi, Gi, Ti or plain
bytes; the schema refuses other forms). Empty when there is no memory limit.
*/}}
{{- define "hoxton-operator.goMemLimit" -}}
{{- $limit := "" }}
{{- with .Values.resources }}{{ with .limits }}{{ $limit = toString (default "" .memory) }}{{ end }}{{ end }}
{{- if $limit }}
{{- $units := dict "Ki" 1024 "Mi" 1048576 "Gi" 1073741824 "Ti" 1099511627776 }}
{{- $bytes := 0.0 }}
{{- $suffix := regexFind "[KMGT]i$" $limit }}
{{- if $suffix }}
{{- $bytes = mulf (float64 (trimSuffix $suffix $limit)) (get $units $suffix) }}
{{- else }}
{{- $bytes = float64 $limit }}
{{- end }}
{{- printf "%d" (int64 (mulf $bytes .Values.goMemLimitRatio)) }}
{{- end }}
{{- end }}

{{/*
The namespaces where the manager may write Secrets, comma-separated: secretWrites.namespaces
and the release's namespace (the token state of RefreshToken ClusterConnections). Empty when
writes are not limited (then they follow watchNamespaces, or go cluster-wide).
*/}}
{{- define "hoxton-operator.secretWriteNamespaces" -}}
{{- with .Values.secretWrites.namespaces }}
{{- append . $.Release.Namespace | uniq | join "," }}
{{- end }}
{{- end }}

{{/*
Whether to render an object of a Prometheus Operator kind (apiVersion/Kind in .api)
under a renderMode (.mode): skipIfMissing renders it only where the cluster serves
the kind, failIfMissing fails the install there, alwaysRender renders it regardless.
Prints "true" or nothing.
*/}}
{{- define "hoxton-operator.renderMonitoring" -}}
{{- $has := .root.Capabilities.APIVersions.Has .api -}}
{{- if eq .mode "alwaysRender" -}}
true
{{- else if $has -}}
true
{{- else if eq .mode "failIfMissing" -}}
{{- fail (printf "%s: this cluster does not serve %s (install the Prometheus Operator's CRDs, or set renderMode to skipIfMissing or alwaysRender)" .what .api) -}}
{{- end -}}
{{- end }}
