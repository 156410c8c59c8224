{{- define "sessions.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "sessions.labels" -}}
app.kubernetes.io/name: {{ include "sessions.fullname" . }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}
