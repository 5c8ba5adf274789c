{{/* The chart's short name. */}}
{{- define "linli.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The release-qualified name every object starts with. */}}
{{- define "linli.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
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

{{/* The environment every linli process gets: secrets from the Secret, the rest from values. */}}
{{- define "linli.env" -}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef: { name: {{ .Values.existingSecret }}, key: DATABASE_URL }
- name: REDIS_URL
  valueFrom:
    secretKeyRef: { name: {{ .Values.existingSecret }}, key: REDIS_URL }
- name: LINLI_REDIS_PREFIX
  value: {{ .Values.config.redisPrefix | quote }}
- name: LINLI_OFFER_TTL_SECONDS
  value: {{ .Values.config.offerTtlSeconds | quote }}
- name: LINLI_VISIT_CONFIRM_HOURS
  value: {{ .Values.config.visitConfirmHours | quote }}
- name: LINLI_BOOKING_NOTICE_MINUTES
  value: {{ .Values.config.bookingNoticeMinutes | quote }}
- name: LINLI_CARE_PLAN_DAYS
  value: {{ .Values.config.carePlanDays | quote }}
- name: LINLI_SESSION_TTL_HOURS
  value: {{ .Values.config.sessionTtlHours | quote }}
- name: LINLI_DB_MAX_CONNECTIONS
  value: {{ .Values.config.dbMaxConnections | quote }}
- name: LINLI_LOG
  value: {{ .Values.config.log | quote }}
- name: LINLI_DELIVERY_MAX_ATTEMPTS
  value: {{ .Values.config.deliveryMaxAttempts | quote }}
- name: LINLI_DELIVERY_RETRY_SECONDS
  value: {{ .Values.config.deliveryRetrySeconds | quote }}
{{- if .Values.sms.url }}
- name: LINLI_SMS_URL
  value: {{ .Values.sms.url | quote }}
- name: LINLI_SMS_TOKEN
  valueFrom:
    secretKeyRef: { name: {{ .Values.existingSecret }}, key: {{ .Values.sms.tokenKey }} }
{{- end }}
- name: LINLI_AUTO_MIGRATE
  value: "false"
- name: LINLI_SEED_DEMO
  value: "false"
{{- end -}}
