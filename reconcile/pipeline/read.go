package pipeline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/smithy-go"
)

// The two reads only the pipeline's judgement needs, behind narrow interfaces that the SDK's
// clients satisfy: metric data (is a log group receiving? has the first heartbeat arrived?) and a
// KMS key's state.

// MetricReader reads metric data: *cloudwatch.Client is one.
type MetricReader interface {
	GetMetricData(context.Context, *cloudwatch.GetMetricDataInput, ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error)
}

// KeyDescriber describes KMS keys: *kms.Client is one.
type KeyDescriber interface {
	DescribeKey(context.Context, *kms.DescribeKeyInput, ...func(*kms.Options)) (*kms.DescribeKeyOutput, error)
}

// maxQueries is GetMetricData's limit of queries per call.
const maxQueries = 500

// Judge evaluates the inputs of one region's Monitors (nil entries are skipped) at now. What the
// pass read on the way is not read again; what it could not — the IncomingLogEvents of a log group
// whose trails do not prove it fresh (Input.NeedsEvents), the heartbeat's metric of a switch not
// yet armed (HeartbeatInput.NeedsMetric) — is read in one GetMetricData call for all of them (per
// 500 queries), and only when one needs it. A failed read becomes each asking Input's MetricsErr.
// It returns the reports and, for each Input with a heartbeat, whether its switch is armed.
func Judge(ctx context.Context, metrics MetricReader, inputs []*Input, now time.Time) (reports []Report, armed []bool) {
	type ask struct {
		in        *Input
		heartbeat bool
		query     cwtypes.MetricDataQuery
	}
	var asks []ask
	lookback := time.Duration(0)
	for i, in := range inputs {
		if in == nil {
			continue
		}
		if in.NeedsEvents(now) {
			in.Lookback = max(2*in.StaleAfter, time.Hour)
			lookback = max(lookback, in.Lookback)
			asks = append(asks, ask{in: in, query: sumQuery("e"+strconv.Itoa(i), "AWS/Logs", "IncomingLogEvents",
				cwtypes.Dimension{Name: aws.String("LogGroupName"), Value: aws.String(groupName(in.LogGroup))})})
		}
		if h := in.Heartbeat; h != nil && h.NeedsMetric(now) {
			lookback = max(lookback, h.AlarmAfter)
			asks = append(asks, ask{in: in, heartbeat: true, query: sumQuery("h"+strconv.Itoa(i), h.Namespace, h.MetricName)})
		}
	}
	if len(asks) > 0 {
		queries := make([]cwtypes.MetricDataQuery, len(asks))
		for i, a := range asks {
			queries[i] = a.query
		}
		latest, err := readLatest(ctx, metrics, queries, now.Add(-lookback), now.Add(time.Minute))
		for _, a := range asks {
			switch id := aws.ToString(a.query.Id); {
			case err != nil:
				a.in.MetricsErr = err.Error()
			case a.heartbeat:
				a.in.Heartbeat.LastArrived = latest[id]
			default:
				a.in.LastEvent, a.in.EventsRead = latest[id], true
			}
		}
	}
	reports, armed = make([]Report, len(inputs)), make([]bool, len(inputs))
	for i, in := range inputs {
		if in == nil {
			continue
		}
		if in.Heartbeat != nil {
			armed[i] = in.Heartbeat.Armed(now)
		}
		reports[i] = Evaluate(*in, now)
	}
	return reports, armed
}

// sumQuery is the per-minute Sum of one metric.
func sumQuery(id, namespace, name string, dims ...cwtypes.Dimension) cwtypes.MetricDataQuery {
	return cwtypes.MetricDataQuery{Id: aws.String(id), ReturnData: aws.Bool(true), MetricStat: &cwtypes.MetricStat{
		Metric: &cwtypes.Metric{Namespace: aws.String(namespace), MetricName: aws.String(name), Dimensions: dims},
		Period: aws.Int32(60), Stat: aws.String("Sum"),
	}}
}

// readLatest reads the queries, 500 a call (pages included), and answers, by query id, the start
// of the newest minute with a positive value (absent: none in the window).
func readLatest(ctx context.Context, r MetricReader, queries []cwtypes.MetricDataQuery, from, to time.Time) (map[string]time.Time, error) {
	latest := map[string]time.Time{}
	for chunk := range slices.Chunk(queries, maxQueries) {
		in := &cloudwatch.GetMetricDataInput{StartTime: aws.Time(from), EndTime: aws.Time(to), ScanBy: cwtypes.ScanByTimestampDescending, MetricDataQueries: chunk}
		pages := cloudwatch.NewGetMetricDataPaginator(r, in, func(o *cloudwatch.GetMetricDataPaginatorOptions) { o.StopOnDuplicateToken = true })
		for pages.HasMorePages() {
			out, err := pages.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("get metric data: %w", err)
			}
			for _, res := range out.MetricDataResults {
				id := aws.ToString(res.Id)
				for k, ts := range res.Timestamps {
					if k < len(res.Values) && res.Values[k] > 0 && ts.After(latest[id]) {
						latest[id] = ts
					}
				}
			}
		}
	}
	return latest, nil
}

// DescribeKeyState reads a KMS key's state. A key that cannot be read (access denied, a key of
// another account) is reported with the error, not as a failure: the trail may well be fine.
func DescribeKeyState(ctx context.Context, keys KeyDescriber, key string) KeyInfo {
	out, err := keys.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(key)})
	var ae smithy.APIError
	switch {
	case err == nil && out.KeyMetadata != nil:
		return KeyInfo{State: string(out.KeyMetadata.KeyState)}
	case errors.As(err, &ae) && ae.ErrorCode() == "NotFoundException":
		return KeyInfo{State: "missing"}
	case err != nil:
		return KeyInfo{Err: err.Error()}
	}
	return KeyInfo{}
}
