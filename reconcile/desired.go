package reconcile

import (
	"sort"
	"strings"
	"time"

	"github.com/kmswatch/kmswatch/spec"
)

// Desired computes the chain a Monitor asks for, in AWS's terms: ARNs resolved from env, defaults
// applied (again, so that a Monitor built by hand behaves like a loaded one), ownership tags set.
// It is pure.
func Desired(m spec.Monitor, env Env) State {
	name := m.Metadata.Name
	s := State{Monitor: name}
	lg := m.Spec.LogGroup
	lgARN := env.logGroupARN(lg.Name)
	if lg.Name != "" {
		s.LogGroup = &LogGroup{
			Name:            lg.Name,
			ARN:             lgARN,
			RetentionInDays: int32(lg.RetentionInDays),
			Tags:            ownerTags(name, lg.Ownership, spec.DeletionRetain),
			Adopt:           lg.Adopt,
		}
	}
	if t := m.Spec.Trail; t != nil {
		s.Trail = &Trail{
			Name:              t.Name,
			ARN:               env.trailARN(t.Name),
			S3BucketName:      t.S3BucketName,
			S3KeyPrefix:       t.S3KeyPrefix,
			LogGroupARN:       lgARN + ":*", // CloudTrail rejects the ARN without ":*" (aws-api.md §0.11)
			RoleARN:           t.CloudWatchLogsRoleArn,
			MultiRegion:       boolOr(t.MultiRegion, true),
			LogFileValidation: boolOr(t.LogFileValidation, true),
			KMSKeyID:          t.KMSKeyID,
			Logging:           true,
			Management:        ManagementEvents{Included: true, ReadWriteType: "All"},
			Tags:              ownerTags(name, t.Ownership, spec.DeletionRetain),
			Adopt:             t.Adopt,
		}
	}
	topicARNs := map[string]string{}
	for _, t := range m.Spec.Topics {
		arn := env.topicARN(t.Name)
		topicARNs[t.Name] = arn
		s.Topics = append(s.Topics, Topic{
			Name:        t.Name,
			ARN:         arn,
			DisplayName: t.DisplayName,
			Tags:        ownerTags(name, t.Ownership, spec.DeletionDelete),
			Adopt:       t.Adopt,
		})
		for _, sub := range t.Subscriptions {
			s.Subscriptions = append(s.Subscriptions, Subscription{Topic: t.Name, TopicARN: arn, Protocol: sub.Protocol, Endpoint: sub.Endpoint})
		}
	}
	resolve := func(actions []string) []string {
		var out []string
		for _, a := range actions {
			if arn, ok := topicARNs[a]; ok {
				out = append(out, arn)
			} else if strings.HasPrefix(a, "arn:") {
				out = append(out, a)
			} else {
				// A name this file does not declare: validation rejects it; be total anyway.
				out = append(out, env.topicARN(a))
			}
		}
		sort.Strings(out)
		return out
	}
	for i := range m.Spec.Alarms {
		a := &m.Spec.Alarms[i]
		filterName := a.FilterName
		if filterName == "" {
			filterName = a.Name
		}
		evals := int32(a.EvaluationPeriods)
		if evals == 0 {
			evals = 1
		}
		dps := int32(a.DatapointsToAlarm)
		if dps == 0 {
			dps = evals
		}
		value := a.Metric.Value
		if value == "" {
			value = "1"
		}
		var threshold float64
		if a.Threshold != nil {
			threshold = *a.Threshold
		}
		s.Filters = append(s.Filters, MetricFilter{
			LogGroup:     lg.Name,
			Name:         filterName,
			Pattern:      a.Pattern(),
			Namespace:    a.Metric.Namespace,
			MetricName:   a.Metric.Name,
			Value:        value,
			DefaultValue: a.Metric.DefaultValue,
			Unit:         a.Metric.Unit,
		})
		tags := ownerTags(name, a.Ownership, spec.DeletionDelete)
		tags[TagFilterLogGroup] = lg.Name
		tags[TagFilterName] = filterName
		s.Alarms = append(s.Alarms, Alarm{
			Name:                    a.Name,
			ARN:                     env.alarmARN(a.Name),
			Description:             a.Description,
			Namespace:               a.Metric.Namespace,
			MetricName:              a.Metric.Name,
			Statistic:               strOr(a.Statistic, "Sum"),
			Period:                  int32(a.Period.Duration / time.Second),
			EvaluationPeriods:       evals,
			DatapointsToAlarm:       dps,
			Threshold:               threshold,
			Comparison:              a.Comparison,
			TreatMissingData:        strOr(a.TreatMissingData, "notBreaching"),
			AlarmActions:            resolve(a.AlarmActions),
			OKActions:               resolve(a.OKActions),
			InsufficientDataActions: resolve(a.InsufficientDataActions),
			ActionsEnabled:          boolOr(a.ActionsEnabled, true),
			Tags:                    tags,
			Adopt:                   a.Adopt,
		})
	}
	s.sort()
	return s
}

// ownerTags are the tags kmswatch writes on a resource it creates or adopts.
func ownerTags(monitor string, o spec.Ownership, def spec.DeletionPolicy) map[string]string {
	p := o.DeletionPolicy
	if p == "" {
		p = def
	}
	return map[string]string{
		TagMonitor:        monitor,
		TagManagedBy:      ManagedByValue,
		TagDeletionPolicy: string(p),
	}
}

// sort orders every slice by resource id, so that Diff and the output are deterministic. Alarms
// and filters are sorted together by alarm name: Filters[i] is the filter of Alarms[i].
func (s *State) sort() {
	sort.Slice(s.Topics, func(i, j int) bool { return s.Topics[i].Name < s.Topics[j].Name })
	sort.Slice(s.Subscriptions, func(i, j int) bool { return s.Subscriptions[i].key() < s.Subscriptions[j].key() })
	sort.Sort(alarmPairs{s})
}

type alarmPairs struct{ s *State }

func (p alarmPairs) Len() int           { return len(p.s.Alarms) }
func (p alarmPairs) Less(i, j int) bool { return p.s.Alarms[i].Name < p.s.Alarms[j].Name }
func (p alarmPairs) Swap(i, j int) {
	p.s.Alarms[i], p.s.Alarms[j] = p.s.Alarms[j], p.s.Alarms[i]
	p.s.Filters[i], p.s.Filters[j] = p.s.Filters[j], p.s.Filters[i]
}

func boolOr(p *bool, def bool) bool {
	if p == nil {
		return def
	}
	return *p
}

func strOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
