package reconcile

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	tagtypes "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi/types"
	"github.com/aws/smithy-go"
	"github.com/go-logr/logr"

	"github.com/kmswatch/kmswatch/spec"
)

// fakeAWS is a small stateful AWS for unit tests: it keeps alarms, log groups, metric filters,
// trails, topics, subscriptions and tags, answers the controller's calls as AWS does (errors,
// pagination, not-found), counts calls and can fail chosen operations. It is not a call replayer:
// tests assert the state it ends in.
type fakeAWS struct {
	mu    sync.Mutex
	env   Env
	calls map[string]int
	// fail makes the named operation ("cloudwatch:PutMetricAlarm") fail with the error, every time.
	fail map[string]error
	// failAfterWrites, if > 0, fails every write call after that many writes succeeded.
	failAfterWrites int
	writes          int

	alarms    map[string]cwtypes.MetricAlarm
	tags      map[string]map[string]string // ARN → tags, every service but CloudTrail
	logGroups map[string]*fakeLogGroup
	filters   map[string]map[string]fakeFilter // log group → name → filter
	trails    map[string]*fakeTrail
	trailTags map[string]map[string]string // trail ARN → tags
	topics    map[string]*fakeTopic        // ARN → topic
	subSeq    int
	// confirmAll makes every new subscription confirmed at once (as moto does); otherwise email
	// subscriptions stay pending.
	confirmAll bool
}

func newFakeAWS() *fakeAWS {
	return &fakeAWS{
		env:       Env{Partition: "aws", Region: "ap-southeast-2", AccountID: "111122223333"},
		calls:     map[string]int{},
		fail:      map[string]error{},
		alarms:    map[string]cwtypes.MetricAlarm{},
		tags:      map[string]map[string]string{},
		logGroups: map[string]*fakeLogGroup{},
		filters:   map[string]map[string]fakeFilter{},
		trails:    map[string]*fakeTrail{},
		trailTags: map[string]map[string]string{},
		topics:    map[string]*fakeTopic{},
	}
}

func (f *fakeAWS) clients() Clients {
	return Clients{
		CloudWatch: fakeCW{f}, Logs: fakeLogs{f}, CloudTrail: fakeTrails{f}, SNS: fakeSNS{f},
		Tagging: fakeTagging{f}, calls: &callCounter{},
	}
}

// call counts an operation and returns the injected error for it, if any. It must be called with
// f.mu held.
func (f *fakeAWS) call(service, op string) error {
	key := service + ":" + op
	f.calls[key]++
	if err := f.fail[key]; err != nil {
		return err
	}
	if IsWriteCall(key) {
		if f.failAfterWrites > 0 && f.writes >= f.failAfterWrites {
			return apiErr("InternalFailure", "injected failure after %d writes", f.writes)
		}
		f.writes++
	}
	return nil
}

func (f *fakeAWS) resetCalls() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = map[string]int{}
}

func (f *fakeAWS) callCount() (total, writes int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for k, v := range f.calls {
		total += v
		if IsWriteCall(k) {
			writes += v
		}
	}
	return total, writes
}

func apiErr(code, format string, args ...any) error {
	return &smithy.GenericAPIError{Code: code, Message: fmt.Sprintf(format, args...)}
}

// page slices sorted keys by a numeric token.
func page(keys []string, token *string, limit int) (out []string, next *string) {
	start := 0
	if token != nil {
		start, _ = strconv.Atoi(*token)
	}
	if start > len(keys) {
		start = len(keys)
	}
	end := min(start+limit, len(keys))
	if end < len(keys) {
		next = aws.String(strconv.Itoa(end))
	}
	return keys[start:end], next
}

// CloudWatch.

type fakeCW struct{ f *fakeAWS }

func (c fakeCW) DescribeAlarms(_ context.Context, in *cloudwatch.DescribeAlarmsInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error) {
	f := c.f
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("cloudwatch", "DescribeAlarms"); err != nil {
		return nil, err
	}
	if len(in.AlarmNames) > 100 {
		return nil, apiErr("ValidationError", "AlarmNames: at most 100")
	}
	var names []string
	for _, n := range in.AlarmNames {
		if _, ok := f.alarms[n]; ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	limit := int(aws.ToInt32(in.MaxRecords))
	if limit == 0 {
		limit = 50
	}
	keys, next := page(names, in.NextToken, limit)
	out := &cloudwatch.DescribeAlarmsOutput{NextToken: next}
	for _, k := range keys {
		out.MetricAlarms = append(out.MetricAlarms, f.alarms[k])
	}
	return out, nil
}

func (c fakeCW) PutMetricAlarm(_ context.Context, in *cloudwatch.PutMetricAlarmInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.PutMetricAlarmOutput, error) {
	f := c.f
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("cloudwatch", "PutMetricAlarm"); err != nil {
		return nil, err
	}
	name := aws.ToString(in.AlarmName)
	arn := f.env.alarmARN(name)
	_, existed := f.alarms[name]
	f.alarms[name] = cwtypes.MetricAlarm{
		AlarmName: in.AlarmName, AlarmArn: aws.String(arn), AlarmDescription: in.AlarmDescription,
		Namespace: in.Namespace, MetricName: in.MetricName, Statistic: in.Statistic, Unit: in.Unit,
		Period: in.Period, EvaluationPeriods: in.EvaluationPeriods, DatapointsToAlarm: in.DatapointsToAlarm,
		Threshold: in.Threshold, ComparisonOperator: in.ComparisonOperator, TreatMissingData: in.TreatMissingData,
		AlarmActions: in.AlarmActions, OKActions: in.OKActions, InsufficientDataActions: in.InsufficientDataActions,
		ActionsEnabled: in.ActionsEnabled, Dimensions: in.Dimensions,
	}
	if !existed { // AWS ignores Tags when the alarm exists
		for _, t := range in.Tags {
			f.tag(arn, aws.ToString(t.Key), aws.ToString(t.Value))
		}
	}
	return &cloudwatch.PutMetricAlarmOutput{}, nil
}

func (c fakeCW) DeleteAlarms(_ context.Context, in *cloudwatch.DeleteAlarmsInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.DeleteAlarmsOutput, error) {
	f := c.f
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("cloudwatch", "DeleteAlarms"); err != nil {
		return nil, err
	}
	if len(in.AlarmNames) > 100 {
		return nil, apiErr("ValidationError", "AlarmNames: at most 100")
	}
	for _, n := range in.AlarmNames {
		delete(f.alarms, n)
		delete(f.tags, f.env.alarmARN(n))
	}
	return &cloudwatch.DeleteAlarmsOutput{}, nil
}

func (c fakeCW) TagResource(_ context.Context, in *cloudwatch.TagResourceInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.TagResourceOutput, error) {
	f := c.f
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("cloudwatch", "TagResource"); err != nil {
		return nil, err
	}
	ref, _ := parseARN(aws.ToString(in.ResourceARN))
	if _, ok := f.alarms[ref.Name]; !ok {
		return nil, apiErr("ResourceNotFoundException", "no alarm %s", ref.Name)
	}
	for _, t := range in.Tags {
		f.tag(aws.ToString(in.ResourceARN), aws.ToString(t.Key), aws.ToString(t.Value))
	}
	return &cloudwatch.TagResourceOutput{}, nil
}

func (c fakeCW) ListTagsForResource(_ context.Context, in *cloudwatch.ListTagsForResourceInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.ListTagsForResourceOutput, error) {
	f := c.f
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("cloudwatch", "ListTagsForResource"); err != nil {
		return nil, err
	}
	out := &cloudwatch.ListTagsForResourceOutput{}
	for k, v := range f.tags[aws.ToString(in.ResourceARN)] {
		out.Tags = append(out.Tags, cwtypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	return out, nil
}

func (f *fakeAWS) tag(arn, k, v string) {
	if f.tags[arn] == nil {
		f.tags[arn] = map[string]string{}
	}
	f.tags[arn][k] = v
}

// Resource Groups Tagging API: alarms, log groups and topics, like moto (no trails).

type fakeTagging struct{ f *fakeAWS }

func (c fakeTagging) GetResources(_ context.Context, in *resourcegroupstaggingapi.GetResourcesInput, _ ...func(*resourcegroupstaggingapi.Options)) (*resourcegroupstaggingapi.GetResourcesOutput, error) {
	f := c.f
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("tag", "GetResources"); err != nil {
		return nil, err
	}
	var arns []string
	for arn, tags := range f.tags {
		ok := true
		for _, tf := range in.TagFilters {
			v, has := tags[aws.ToString(tf.Key)]
			ok = ok && has && (len(tf.Values) == 0 || contains(tf.Values, v))
		}
		if ok && len(tags) > 0 {
			arns = append(arns, arn)
		}
	}
	sort.Strings(arns)
	limit := int(aws.ToInt32(in.ResourcesPerPage))
	if limit == 0 {
		limit = 50
	}
	tok := in.PaginationToken
	if aws.ToString(tok) == "" {
		tok = nil
	}
	keys, next := page(arns, tok, limit)
	out := &resourcegroupstaggingapi.GetResourcesOutput{PaginationToken: aws.String("")}
	if next != nil {
		out.PaginationToken = next
	}
	for _, arn := range keys {
		m := tagtypes.ResourceTagMapping{ResourceARN: aws.String(arn)}
		for k, v := range f.tags[arn] {
			m.Tags = append(m.Tags, tagtypes.Tag{Key: aws.String(k), Value: aws.String(v)})
		}
		out.ResourceTagMappingList = append(out.ResourceTagMappingList, m)
	}
	return out, nil
}

// Helpers of the tests still on fakeAWS.

func newTestController(f *fakeAWS, opts Options) *Controller {
	return NewController(f.clients(), f.env, logr.Discard(), opts)
}

func reconcile(t *testing.T, c *Controller, ms []spec.Monitor, dryRun bool) *Result {
	t.Helper()
	res, err := c.Reconcile(context.Background(), ms, dryRun)
	if err != nil {
		t.Fatalf("reconcile (dryRun=%v): %v", dryRun, err)
	}
	return res
}

// actions maps each resource id to its action.
func actions(r *Result) map[string]Action {
	out := map[string]Action{}
	for _, c := range r.Changes {
		out[c.ID] = c.Action
	}
	return out
}

func requireAllNoop(t *testing.T, r *Result) {
	t.Helper()
	for _, c := range r.Changes {
		if c.Action != ActionNoop {
			t.Errorf("%s: action %s %v %s, want noop", c.ID, c.Action, c.Changes, c.Message)
		}
	}
}
