package core

import (
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/wire"
	"github.com/kmswatch/kmswatch/reconcile/awsop"
)

// notAudited are operations CloudTrail does not record as management events (data-plane calls
// such as PutLogEvents and PutMetricData), which also keeps the pipeline free of feedback loops.
var notAudited = map[string]bool{
	"logs:PutLogEvents": true, "logs:GetLogEvents": true, "logs:FilterLogEvents": true,
	"logs:CreateLogStream": true, "cloudwatch:PutMetricData": true, "cloudwatch:GetMetricData": true,
	"cloudwatch:GetMetricStatistics": true, "cloudwatch:ListMetrics": true, "sns:Publish": true,
	// S3's object-level operations are data events:
	// https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-s3-info.html
	"s3:PutObject": true, "s3:GetObject": true, "s3:HeadObject": true, "s3:DeleteObject": true,
	"s3:ListObjectVersions": true,
}

// eventSources maps the emulator's service ids to CloudTrail's eventSource.
var eventSources = map[string]string{
	"cloudwatch": "monitoring.amazonaws.com", "logs": "logs.amazonaws.com",
	"cloudtrail": "cloudtrail.amazonaws.com", "sns": "sns.amazonaws.com",
	"kms": "kms.amazonaws.com", "tagging": "tagging.amazonaws.com", "sts": "sts.amazonaws.com", "s3": "s3.amazonaws.com",
}

// audit turns a call into a CloudTrail record in CloudTrail's own shape (eventVersion 1.11),
// failed calls included with errorCode and errorMessage, and hands it to the CloudTrail service.
func (w *World) audit(c *Call, apiErr *wire.APIError) {
	if w.Bus.Audit == nil || c.Service == "" || notAudited[c.Service+":"+c.Op] {
		return
	}
	if w.ops[c.Service][c.Op] == nil {
		return
	}
	src := eventSources[c.Service]
	ro := awsop.ReadOnly(c.Service, c.Op)
	rec := map[string]any{
		"eventVersion":       "1.11",
		"userIdentity":       c.Principal.Identity(c.Now),
		"eventTime":          c.Now.UTC().Format("2006-01-02T15:04:05Z"),
		"eventSource":        src,
		"eventName":          c.Op,
		"awsRegion":          c.Region,
		"sourceIPAddress":    "192.0.2.10",
		"userAgent":          "aws-sdk-go-v2/1.48.0 (kmswatch-emulator)",
		"requestParameters":  RequestParameters(c.In),
		"responseElements":   nil,
		"requestID":          c.RequestID,
		"eventID":            wire.NewRequestID(),
		"readOnly":           ro,
		"eventType":          "AwsApiCall",
		"managementEvent":    true,
		"recipientAccountId": c.Account(),
		"eventCategory":      "Management",
		"tlsDetails": map[string]any{
			"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
			"clientProvidedHostHeader": c.Service + "." + c.Region + ".amazonaws.com",
		},
	}
	for k, v := range c.Audit {
		rec[k] = v
	}
	if apiErr != nil {
		rec["errorCode"] = apiErr.QueryCode()
		rec["errorMessage"] = apiErr.Message
	}
	w.Bus.Audit(AuditRecord{Time: c.Now, Account: c.Account(), Source: src, Name: c.Op, ReadOnly: ro, Management: true, Record: rec})
}

// RequestParameters is the request as CloudTrail shows it: blobs (plaintext, ciphertext) are
// never recorded.
func RequestParameters(in any) any {
	obj, ok := wire.AsObject(in)
	if !ok || len(obj) == 0 {
		return nil
	}
	out := make(map[string]any, len(obj))
	for k, v := range obj {
		if _, blob := v.([]byte); blob {
			continue
		}
		if k == "Plaintext" || k == "CiphertextBlob" {
			continue
		}
		out[lowerFirst(k)] = wire.JSONReady(v)
	}
	return out
}

func lowerFirst(s string) string {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return s
	}
	return string(s[0]+'a'-'A') + s[1:]
}
