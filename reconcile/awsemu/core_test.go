package awsemu

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwschemas "github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/transport/http/protocol/awsjson"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/core"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/wire"
)

// These tests exercise the wire layer alone, with handlers defined here, through the real SDK.

type coreAlarm struct {
	AlarmName             string
	Threshold             float64
	Period                int32
	EvaluationPeriods     int32
	Dimensions            []struct{ Name, Value string }
	StateUpdatedTimestamp time.Time
}

func coreEmulator(t *testing.T) (*Emulator, aws.Config) {
	t.Helper()
	e := New(Options{Region: "ap-southeast-2", Start: time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC)})
	e.w.Register("cloudwatch", map[string]core.OpFunc{
		"DescribeAlarms": func(c *core.Call) (any, error) {
			var in struct {
				AlarmNames []string
				MaxRecords int
			}
			if err := c.Decode(&in); err != nil {
				return nil, err
			}
			if len(in.AlarmNames) == 1 && in.AlarmNames[0] == "fail" {
				return nil, &wire.APIError{Type: "LimitExceededFault", Code: "LimitExceeded", Message: "too many"}
			}
			var out struct{ MetricAlarms []coreAlarm }
			for _, n := range in.AlarmNames {
				out.MetricAlarms = append(out.MetricAlarms, coreAlarm{AlarmName: n, Threshold: 1.5, Period: 60,
					EvaluationPeriods: int32(in.MaxRecords), Dimensions: []struct{ Name, Value string }{{"k", "v"}},
					StateUpdatedTimestamp: c.Now})
			}
			return out, nil
		},
	})
	e.w.Register("logs", map[string]core.OpFunc{
		"DescribeLogGroups": func(c *core.Call) (any, error) {
			var in struct {
				Prefix string `json:"logGroupNamePrefix"`
				Limit  int    `json:"limit"`
			}
			if err := c.Decode(&in); err != nil {
				return nil, err
			}
			if in.Prefix == "missing" {
				return nil, wire.NotFound("ResourceNotFoundException", "The specified log group does not exist.")
			}
			type group struct {
				Name      string `json:"logGroupName"`
				Retention int    `json:"retentionInDays,omitempty"`
				Created   int64  `json:"creationTime"`
			}
			return struct {
				Groups []group `json:"logGroups"`
			}{[]group{{Name: in.Prefix + "-a", Retention: in.Limit, Created: c.Now.UnixMilli()}}}, nil
		},
	})
	e.w.Register("sns", map[string]core.OpFunc{
		"GetTopicAttributes": func(c *core.Call) (any, error) {
			var in struct{ TopicArn string }
			if err := c.Decode(&in); err != nil {
				return nil, err
			}
			if in.TopicArn == "nope" {
				return nil, wire.NotFound("NotFoundException", "Topic does not exist")
			}
			return struct{ Attributes map[string]string }{map[string]string{"TopicArn": in.TopicArn, "Owner": e.w.Account}}, nil
		},
		"CreateTopic": func(c *core.Call) (any, error) {
			var in struct {
				Name       string
				Attributes map[string]string
				Tags       []struct{ Key, Value string }
			}
			if err := c.Decode(&in); err != nil {
				return nil, err
			}
			return struct{ TopicArn string }{"arn:aws:sns:" + c.Region + ":" + e.w.Account + ":" + in.Name + ":" + in.Attributes["DisplayName"] + ":" + in.Tags[1].Value}, nil
		},
	})
	cfg := emuConfig(e, "AKIDTEST")
	cfg.Region = "ap-southeast-2"
	return e, cfg
}

func TestCoreProtocolsThroughSDK(t *testing.T) {
	e, cfg := coreEmulator(t)
	ctx := context.Background()
	for name, opt := range map[string]func(*cloudwatch.Options){
		"cbor":  func(*cloudwatch.Options) {},
		"query": func(o *cloudwatch.Options) { o.Protocol = awsquery.New(cwschemas.GraniteServiceVersion20100801) },
		"json":  func(o *cloudwatch.Options) { o.Protocol = awsjson.New10(cwschemas.GraniteServiceVersion20100801) },
	} {
		t.Run("cloudwatch-"+name, func(t *testing.T) {
			cw := cloudwatch.NewFromConfig(cfg, opt)
			out, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"a", "b"}, MaxRecords: aws.Int32(7)})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.MetricAlarms) != 2 || aws.ToString(out.MetricAlarms[1].AlarmName) != "b" ||
				aws.ToFloat64(out.MetricAlarms[0].Threshold) != 1.5 || aws.ToInt32(out.MetricAlarms[0].EvaluationPeriods) != 7 ||
				aws.ToString(out.MetricAlarms[0].Dimensions[0].Value) != "v" ||
				!out.MetricAlarms[0].StateUpdatedTimestamp.Equal(e.Now()) {
				t.Fatalf("unexpected output %+v", out.MetricAlarms[0])
			}
			_, err = cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"fail"}})
			var lim *cwtypes.LimitExceededFault
			// In CBOR and JSON the SDK takes ErrorCode() from X-Amzn-Query-Error ("LimitExceeded");
			// the query protocol resolves the same typed error from <Code> but reports the shape name.
			if !errors.As(err, &lim) {
				t.Fatalf("want LimitExceededFault, got %T %v", err, err)
			}
			if want := map[string]string{"cbor": "LimitExceeded", "json": "LimitExceeded", "query": "LimitExceededFault"}[name]; lim.ErrorCode() != want {
				t.Fatalf("ErrorCode() = %q, want %q", lim.ErrorCode(), want)
			}
		})
	}
	logs := cloudwatchlogs.NewFromConfig(cfg)
	lg, err := logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("grp"), Limit: aws.Int32(7)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(lg.LogGroups[0].LogGroupName) != "grp-a" || aws.ToInt32(lg.LogGroups[0].RetentionInDays) != 7 {
		t.Fatalf("unexpected log groups %+v", lg.LogGroups)
	}
	_, err = logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("missing")})
	var rnf *logstypes.ResourceNotFoundException
	if !errors.As(err, &rnf) {
		t.Fatalf("want ResourceNotFoundException, got %v", err)
	}
	s := sns.NewFromConfig(cfg)
	attrs, err := s.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String("arn:t")})
	if err != nil || attrs.Attributes["TopicArn"] != "arn:t" || attrs.Attributes["Owner"] != "123456789012" {
		t.Fatalf("GetTopicAttributes: %v %v", attrs, err)
	}
	ct, err := s.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("t"), Attributes: map[string]string{"DisplayName": "dn"},
		Tags: []snstypes.Tag{{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("b"), Value: aws.String("2")}}})
	if err != nil || aws.ToString(ct.TopicArn) != "arn:aws:sns:ap-southeast-2:123456789012:t:dn:2" {
		t.Fatalf("CreateTopic: %v %v", ct, err)
	}
	_, err = s.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String("nope")})
	var nf *snstypes.NotFoundException
	var ae smithy.APIError
	if !errors.As(err, &nf) || !errors.As(err, &ae) || ae.ErrorCode() != "NotFound" {
		t.Fatalf("want NotFoundException, got %v", err)
	}
	if got := e.Instruments().Calls()["cloudwatch:DescribeAlarms"]; got != 6 {
		t.Errorf("cloudwatch:DescribeAlarms counted %d, want 6", got)
	}
}
