package reconcile_test

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/smithy-go"

	"github.com/kmswatch/kmswatch/reconcile"
	"github.com/kmswatch/kmswatch/spec"
)

// Reading the account back through the SDK, with the test's own (uncounted) clients.

var bg = context.Background()

// The ARNs of the account's resources in its region.
func (a *account) logGroupARN(name string) string { return a.arn("logs", "log-group:"+name) }
func (a *account) alarmARN(name string) string    { return a.arn("cloudwatch", "alarm:"+name) }
func (a *account) topicARN(name string) string    { return a.arn("sns", name) }
func (a *account) trailARN(name string) string    { return a.arn("cloudtrail", "trail/"+name) }

func (a *account) arn(service, resource string) string {
	return "arn:" + a.env.Partition + ":" + service + ":" + a.env.Region + ":" + a.env.AccountID + ":" + resource
}

// alarm is the named alarm, or nil.
func (a *account) alarm(name string) *cwtypes.MetricAlarm {
	a.t.Helper()
	out, err := a.cw.DescribeAlarms(bg, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{name}})
	if err != nil {
		a.t.Fatalf("describe alarm %s: %v", name, err)
	}
	for i := range out.MetricAlarms {
		// moto evaluates DescribeAlarms filters one at a time; match the name here.
		if aws.ToString(out.MetricAlarms[i].AlarmName) == name {
			return &out.MetricAlarms[i]
		}
	}
	return nil
}

// alarms is every metric alarm of the account.
func (a *account) alarms() []cwtypes.MetricAlarm {
	a.t.Helper()
	var all []cwtypes.MetricAlarm
	p := cloudwatch.NewDescribeAlarmsPaginator(a.cw, &cloudwatch.DescribeAlarmsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(bg)
		if err != nil {
			a.t.Fatalf("describe alarms: %v", err)
		}
		all = append(all, out.MetricAlarms...)
	}
	return all
}

// filters is every metric filter of a log group (all of the account's when logGroup is "").
func (a *account) filters(logGroup string) []logtypes.MetricFilter {
	a.t.Helper()
	var all []logtypes.MetricFilter
	in := &cloudwatchlogs.DescribeMetricFiltersInput{}
	if logGroup != "" {
		in.LogGroupName = aws.String(logGroup)
	}
	for {
		out, err := a.logs.DescribeMetricFilters(bg, in)
		if err != nil {
			a.t.Fatalf("describe metric filters of %q: %v", logGroup, err)
		}
		all = append(all, out.MetricFilters...)
		// moto echoes the request's token instead of paginating.
		if out.NextToken == nil || aws.ToString(out.NextToken) == aws.ToString(in.NextToken) {
			return all
		}
		in.NextToken = out.NextToken
	}
}

// logGroup is the named log group, or nil.
func (a *account) logGroup(name string) *logtypes.LogGroup {
	a.t.Helper()
	out, err := a.logs.DescribeLogGroups(bg, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(name)})
	if err != nil {
		a.t.Fatalf("describe log group %s: %v", name, err)
	}
	for i := range out.LogGroups {
		if aws.ToString(out.LogGroups[i].LogGroupName) == name {
			return &out.LogGroups[i]
		}
	}
	return nil
}

// trail is the named trail of the region, or nil. It lists every trail and picks by name: moto
// ignores trailNameList.
func (a *account) trail(name string) *cttypes.Trail {
	a.t.Helper()
	out, err := a.ct.DescribeTrails(bg, &cloudtrail.DescribeTrailsInput{})
	if err != nil {
		a.t.Fatalf("describe trails: %v", err)
	}
	for i := range out.TrailList {
		if aws.ToString(out.TrailList[i].Name) == name {
			return &out.TrailList[i]
		}
	}
	return nil
}

// topicExists tells whether the named topic exists.
func (a *account) topicExists(name string) bool {
	a.t.Helper()
	_, err := a.sns.GetTopicAttributes(bg, &sns.GetTopicAttributesInput{TopicArn: aws.String(a.topicARN(name))})
	if err == nil {
		return true
	}
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() == "NotFound" {
		return false
	}
	a.t.Fatalf("get topic attributes of %s: %v", name, err)
	return false
}

// topics is the name of every topic of the account.
func (a *account) topics() []string {
	a.t.Helper()
	var names []string
	p := sns.NewListTopicsPaginator(a.sns, &sns.ListTopicsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(bg)
		if err != nil {
			a.t.Fatalf("list topics: %v", err)
		}
		for _, tp := range out.Topics {
			arn := aws.ToString(tp.TopicArn)
			names = append(names, arn[strings.LastIndexByte(arn, ':')+1:])
		}
	}
	sort.Strings(names)
	return names
}

// sub is a subscription as the test sees it.
type sub struct {
	Protocol, Endpoint, ARN string
}

func (s sub) pending() bool { return s.ARN == "PendingConfirmation" || s.ARN == "pending confirmation" }

// subscriptions lists a topic's subscriptions.
func (a *account) subscriptions(topic string) []sub {
	a.t.Helper()
	var out []sub
	p := sns.NewListSubscriptionsByTopicPaginator(a.sns, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(a.topicARN(topic))})
	for p.HasMorePages() {
		page, err := p.NextPage(bg)
		if err != nil {
			a.t.Fatalf("list subscriptions of %s: %v", topic, err)
		}
		for _, s := range page.Subscriptions {
			out = append(out, sub{aws.ToString(s.Protocol), aws.ToString(s.Endpoint), aws.ToString(s.SubscriptionArn)})
		}
	}
	return out
}

// tags reads a resource's tags with the service's own call.
func (a *account) tags(kind reconcile.Kind, name string) map[string]string {
	a.t.Helper()
	tags := map[string]string{}
	switch kind {
	case reconcile.KindAlarm:
		out, err := a.cw.ListTagsForResource(bg, &cloudwatch.ListTagsForResourceInput{ResourceARN: aws.String(a.alarmARN(name))})
		if err != nil {
			a.t.Fatalf("list tags of alarm %s: %v", name, err)
		}
		for _, t := range out.Tags {
			tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
	case reconcile.KindLogGroup:
		out, err := a.logs.ListTagsForResource(bg, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String(a.logGroupARN(name))})
		if err != nil {
			a.t.Fatalf("list tags of log group %s: %v", name, err)
		}
		tags = out.Tags
	case reconcile.KindTopic:
		out, err := a.sns.ListTagsForResource(bg, &sns.ListTagsForResourceInput{ResourceArn: aws.String(a.topicARN(name))})
		if err != nil {
			a.t.Fatalf("list tags of topic %s: %v", name, err)
		}
		for _, t := range out.Tags {
			tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
	case reconcile.KindTrail:
		out, err := a.ct.ListTags(bg, &cloudtrail.ListTagsInput{ResourceIdList: []string{a.trailARN(name)}})
		if err != nil {
			a.t.Fatalf("list tags of trail %s: %v", name, err)
		}
		for _, rt := range out.ResourceTagList {
			for _, t := range rt.TagsList {
				tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
			}
		}
	}
	return tags
}

// wantOwned fails unless the resource carries monitor's ownership tags.
func (a *account) wantOwned(kind reconcile.Kind, name, monitor string) {
	a.t.Helper()
	tags := a.tags(kind, name)
	if tags[reconcile.TagManagedBy] != reconcile.ManagedByValue || tags[reconcile.TagMonitor] != monitor {
		a.t.Errorf("%s/%s: tags %v, want owned by monitor %s", kind, name, tags, monitor)
	}
}

// checkChain reads every resource m declares back and fails the test where AWS disagrees with
// the spec: the end state of a converged account.
func (a *account) checkChain(m spec.Monitor) {
	a.t.Helper()
	s := m.Spec
	mon := m.Metadata.Name
	lg := a.logGroup(s.LogGroup.Name)
	switch {
	case lg == nil:
		a.t.Errorf("log group %s is missing", s.LogGroup.Name)
	case int(aws.ToInt32(lg.RetentionInDays)) != s.LogGroup.RetentionInDays:
		a.t.Errorf("log group %s: retention %d, want %d", s.LogGroup.Name, aws.ToInt32(lg.RetentionInDays), s.LogGroup.RetentionInDays)
	default:
		a.wantOwned(reconcile.KindLogGroup, s.LogGroup.Name, mon)
	}
	if s.Trail != nil {
		a.checkTrail(mon, s.Trail, s.LogGroup.Name)
	}
	for _, tp := range s.Topics {
		if !a.topicExists(tp.Name) {
			a.t.Errorf("topic %s is missing", tp.Name)
			continue
		}
		a.wantOwned(reconcile.KindTopic, tp.Name, mon)
		got := a.subscriptions(tp.Name)
		for _, want := range tp.Subscriptions {
			n := 0
			for _, g := range got {
				if g.Protocol == want.Protocol && g.Endpoint == want.Endpoint {
					n++
				}
			}
			if n != 1 {
				a.t.Errorf("topic %s: %d subscriptions %s %s, want 1 (all: %v)", tp.Name, n, want.Protocol, want.Endpoint, got)
			}
		}
		if len(got) != len(tp.Subscriptions) {
			a.t.Errorf("topic %s: subscriptions %v, want exactly %v", tp.Name, got, tp.Subscriptions)
		}
	}
	filters := a.filters(s.LogGroup.Name)
	for _, al := range s.Alarms {
		a.checkAlarm(mon, s, al)
		n := 0
		for _, f := range filters {
			if aws.ToString(f.FilterName) != al.FilterName {
				continue
			}
			n++
			if got := aws.ToString(f.FilterPattern); got != al.Pattern() {
				a.t.Errorf("filter %s: pattern %q, want %q", al.FilterName, got, al.Pattern())
			}
			if len(f.MetricTransformations) != 1 || aws.ToString(f.MetricTransformations[0].MetricName) != al.Metric.Name ||
				aws.ToString(f.MetricTransformations[0].MetricValue) != al.Metric.Value {
				a.t.Errorf("filter %s: transformations %+v, want metric %s value %s", al.FilterName, f.MetricTransformations, al.Metric.Name, al.Metric.Value)
			}
		}
		if n != 1 {
			a.t.Errorf("log group %s: %d metric filters named %s, want 1", s.LogGroup.Name, n, al.FilterName)
		}
	}
}

func (a *account) checkAlarm(mon string, s spec.MonitorSpec, al spec.Alarm) {
	a.t.Helper()
	got := a.alarm(al.Name)
	if got == nil {
		a.t.Errorf("alarm %s is missing", al.Name)
		return
	}
	var wantActions []string
	for _, act := range al.AlarmActions {
		if strings.HasPrefix(act, "arn:") {
			wantActions = append(wantActions, act)
		} else {
			wantActions = append(wantActions, a.topicARN(act))
		}
	}
	sort.Strings(wantActions)
	gotActions := slices.Sorted(slices.Values(got.AlarmActions))
	switch {
	case aws.ToFloat64(got.Threshold) != *al.Threshold:
		a.t.Errorf("alarm %s: threshold %v, want %v", al.Name, aws.ToFloat64(got.Threshold), *al.Threshold)
	case string(got.ComparisonOperator) != al.Comparison:
		a.t.Errorf("alarm %s: comparison %s, want %s", al.Name, got.ComparisonOperator, al.Comparison)
	case aws.ToInt32(got.Period) != int32(al.Period.Seconds()):
		a.t.Errorf("alarm %s: period %d, want %v", al.Name, aws.ToInt32(got.Period), al.Period.Duration)
	case aws.ToString(got.MetricName) != al.Metric.Name || aws.ToString(got.Namespace) != al.Metric.Namespace:
		a.t.Errorf("alarm %s: metric %s/%s, want %s/%s", al.Name, aws.ToString(got.Namespace), aws.ToString(got.MetricName), al.Metric.Namespace, al.Metric.Name)
	case !slices.Equal(gotActions, wantActions):
		a.t.Errorf("alarm %s: actions %v, want %v", al.Name, gotActions, wantActions)
	default:
		a.wantOwned(reconcile.KindAlarm, al.Name, mon)
	}
}

func (a *account) checkTrail(mon string, want *spec.Trail, logGroup string) {
	a.t.Helper()
	tr := a.trail(want.Name)
	if tr == nil {
		a.t.Errorf("trail %s is missing", want.Name)
		return
	}
	if got := aws.ToString(tr.CloudWatchLogsLogGroupArn); got != a.logGroupARN(logGroup)+":*" {
		a.t.Errorf("trail %s: delivers to %q, want log group %s", want.Name, got, logGroup)
	}
	if got := aws.ToString(tr.CloudWatchLogsRoleArn); got != want.CloudWatchLogsRoleArn {
		a.t.Errorf("trail %s: role %q, want %s", want.Name, got, want.CloudWatchLogsRoleArn)
	}
	if got := aws.ToString(tr.S3BucketName); got != want.S3BucketName {
		a.t.Errorf("trail %s: bucket %q, want %s", want.Name, got, want.S3BucketName)
	}
	if aws.ToBool(tr.IsMultiRegionTrail) != *want.MultiRegion {
		a.t.Errorf("trail %s: multi-region %v, want %v", want.Name, aws.ToBool(tr.IsMultiRegionTrail), *want.MultiRegion)
	}
	if aws.ToBool(tr.LogFileValidationEnabled) != *want.LogFileValidation {
		a.t.Errorf("trail %s: log-file validation %v, want %v", want.Name, aws.ToBool(tr.LogFileValidationEnabled), *want.LogFileValidation)
	}
	if want.Organization != nil && aws.ToBool(tr.IsOrganizationTrail) != *want.Organization {
		a.t.Errorf("trail %s: organization trail %v, want %v", want.Name, aws.ToBool(tr.IsOrganizationTrail), *want.Organization)
	}
	st, err := a.ct.GetTrailStatus(bg, &cloudtrail.GetTrailStatusInput{Name: aws.String(want.Name)})
	if err != nil {
		a.t.Fatalf("get trail status of %s: %v", want.Name, err)
	}
	if !aws.ToBool(st.IsLogging) {
		a.t.Errorf("trail %s is not logging", want.Name)
	}
	sel, err := a.ct.GetEventSelectors(bg, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String(want.Name)})
	if err != nil {
		a.t.Fatalf("get event selectors of %s: %v", want.Name, err)
	}
	if !kmsReadEventsLogged(sel) {
		a.t.Errorf("trail %s: selectors %+v %+v do not log KMS read-only management events", want.Name, sel.EventSelectors, sel.AdvancedEventSelectors)
	}
	a.wantOwned(reconcile.KindTrail, want.Name, mon)
}

// kmsReadEventsLogged tells whether a trail's selectors log KMS's read-only management events
// (Encrypt, Decrypt): a basic selector including read management events that does not exclude
// kms.amazonaws.com, or an advanced management-events selector with no field that drops them.
func kmsReadEventsLogged(sel *cloudtrail.GetEventSelectorsOutput) bool {
	for _, s := range sel.EventSelectors {
		if aws.ToBool(s.IncludeManagementEvents) && s.ReadWriteType != cttypes.ReadWriteTypeWriteOnly &&
			!slices.Contains(s.ExcludeManagementEventSources, "kms.amazonaws.com") {
			return true
		}
	}
	for _, s := range sel.AdvancedEventSelectors {
		management, drops := false, false
		for _, f := range s.FieldSelectors {
			switch aws.ToString(f.Field) {
			case "eventCategory":
				management = slices.Equal(f.Equals, []string{"Management"})
			case "eventSource":
				drops = drops || slices.Contains(f.NotEquals, "kms.amazonaws.com") ||
					(len(f.Equals) > 0 && !slices.Contains(f.Equals, "kms.amazonaws.com"))
			case "readOnly":
				drops = drops || slices.Equal(f.Equals, []string{"false"})
			}
		}
		if management && !drops {
			return true
		}
	}
	return false
}

// wantNothingOrphaned fails unless every alarm, metric filter and topic in the account is one
// that ms declare, exactly once, and every alarm and topic is owned: after a crash and a rerun,
// no duplicate and no leftover.
func (a *account) wantNothingOrphaned(ms []spec.Monitor) {
	a.t.Helper()
	declared := map[string]string{} // "Kind/name" → monitor
	waiting := map[string]bool{}    // declared, but not created yet
	for _, m := range ms {
		for _, al := range m.Spec.Alarms {
			declared["Alarm/"+al.Name] = m.Metadata.Name
			declared["MetricFilter/"+m.Spec.LogGroup.Name+"/"+al.FilterName] = m.Metadata.Name
		}
		for _, tp := range m.Spec.Topics {
			declared["Topic/"+tp.Name] = m.Metadata.Name
		}
		if m.Spec.Heartbeat != nil {
			declared["MetricFilter/"+m.Spec.LogGroup.Name+"/"+m.HeartbeatName()] = m.Metadata.Name
			declared["Alarm/"+m.HeartbeatName()] = m.Metadata.Name
			waiting["Alarm/"+m.HeartbeatName()] = true // created once the first heartbeat arrived
		}
	}
	seen := map[string]int{}
	for _, al := range a.alarms() {
		id := "Alarm/" + aws.ToString(al.AlarmName)
		seen[id]++
		if mon, ok := declared[id]; ok {
			a.wantOwned(reconcile.KindAlarm, aws.ToString(al.AlarmName), mon)
		}
	}
	for _, f := range a.filters("") {
		seen["MetricFilter/"+aws.ToString(f.LogGroupName)+"/"+aws.ToString(f.FilterName)]++
	}
	for _, tp := range a.topics() {
		seen["Topic/"+tp]++
		if mon, ok := declared["Topic/"+tp]; ok {
			a.wantOwned(reconcile.KindTopic, tp, mon)
		}
	}
	for id, n := range seen {
		if _, ok := declared[id]; !ok {
			a.t.Errorf("%s exists but no monitor declares it (orphaned)", id)
		} else if n != 1 {
			a.t.Errorf("%s exists %d times", id, n)
		}
	}
	for id := range declared {
		if seen[id] == 0 && !waiting[id] {
			a.t.Errorf("%s is missing", id)
		}
	}
}
