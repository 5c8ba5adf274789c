{{/* The chart's short name. */}}
{{- define "linli.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The release-qualified name every object starts with. */}}
{{- define "linli.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Labels shared by every object; pass a dict with "root" and "component". */}}
{{- define "linli.labels" -}}
app.kubernetes.io/name: {{ include "linli.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/component: {{ .component }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- with .root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Selector labels; the component keeps the api and jobs pods apart. */}}
{{- define "linli.selectorLabels" -}}
app.kubernetes.io/name: {{ include "linli.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "linli.image" -}}
{{ printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end -}}

{{/* The Secret the processes read DATABASE_URL, REDIS_URL and the SMS token from. */}}
{{- define "linli.secretName" -}}
{{- default (printf "%s-connections" (include "linli.fullname" .)) .Values.existingSecret -}}
{{- end -}}

{{/* The settings' ConfigMap. */}}
{{- define "linli.configName" -}}
{{- printf "%s-config" (include "linli.fullname" .) -}}
{{- end -}}

{{/* The environment every linli process gets: secrets from the Secret, settings from the ConfigMap. */}}
{{- define "linli.env" -}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef: { name: {{ include "linli.secretName" . }}, key: DATABASE_URL }
- name: REDIS_URL
  valueFrom:
    secretKeyRef: { name: {{ include "linli.secretName" . }}, key: REDIS_URL }
{{- if .Values.sms.url }}
- name: LINLI_SMS_TOKEN
  valueFrom:
    secretKeyRef: { name: {{ include "linli.secretName" . }}, key: {{ .Values.sms.tokenKey }} }
{{- end }}
{{- end -}}

{{/* Pod-level settings shared by the api and jobs pods. */}}
{{- define "linli.podSpec" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
# A stop first finishes the work under way (LINLI_SHUTDOWN_GRACE_SECONDS); the kubelet waits a little longer.
terminationGracePeriodSeconds: {{ add .Values.shutdownGraceSeconds .Values.preStopSeconds 10 }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* The hook-scoped Secret the migration reads when the chart makes the Secret itself: a release's own
Secret does not exist yet when a pre-install hook runs. */}}
{{- define "linli.migrateSecretName" -}}
{{- if .Values.existingSecret -}}
{{- .Values.existingSecret -}}
{{- else -}}
{{- printf "%s-migrate" (include "linli.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/* Annotations that roll the pods when the settings (or the Secret the chart makes) change. */}}
{{- define "linli.podAnnotations" -}}
checksum/config: {{ include (print .Template.BasePath "/config/configmap.yaml") . | sha256sum }}
{{- if not .Values.existingSecret }}
checksum/secret: {{ include (print .Template.BasePath "/config/secret.yaml") . | sha256sum }}
{{- end }}
{{- end -}}
