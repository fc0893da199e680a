package spec

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// validateFile checks each monitor and then what only the file as a whole shows: duplicate
// Monitor names and two Monitors claiming the same AWS resource. docs[i] is monitors[i]'s
// document number.
func validateFile(monitors []Monitor, docs []int, file string) (ErrorList, []Problem) {
	var errs ErrorList
	var warnings []Problem
	claims := map[string]claim{}
	for i := range monitors {
		m := &monitors[i]
		p := &problems{file: file, doc: docs[i]}
		validateMonitor(p, m)
		// A resource is claimed by its kind, region and name: two Monitors managing one log
		// group would undo each other's changes on every pass.
		region := m.Spec.Region
		claimOnce := func(path, kind, name string) {
			if name == "" {
				return
			}
			key := kind + "\x00" + region + "\x00" + name
			if kind == "Monitor name" {
				key = kind + "\x00" + name // owner identities are global: tags carry no region
			}
			if c, ok := claims[key]; ok {
				if c.index == i {
					return // a duplicate within one Monitor, reported by validateMonitor
				}
				p.errorf(path, name, "%s already claimed by Monitor %q (document %d); two Monitors would undo each other's changes", kind, c.monitor, c.doc)
				return
			}
			claims[key] = claim{m.Metadata.Name, docs[i], i}
		}
		claimOnce("metadata.name", "Monitor name", m.Metadata.Name)
		if m.Spec.Trail != nil {
			claimOnce("spec.trail.name", "trail", m.Spec.Trail.Name)
		}
		claimOnce("spec.logGroup.name", "log group", m.Spec.LogGroup.Name)
		for j, t := range m.Spec.Topics {
			claimOnce(fmt.Sprintf("spec.topics[%d].name", j), "topic", t.Name)
		}
		for j, a := range m.Spec.Alarms {
			claimOnce(fmt.Sprintf("spec.alarms[%d].name", j), "alarm", a.Name)
		}
		claimPresets(p, m, claims, claim{m.Metadata.Name, docs[i], i})
		if m.Spec.Heartbeat != nil && m.Metadata.Name != "" {
			claimOnce("spec.heartbeat", "alarm", m.HeartbeatName())
		}
		errs = append(errs, p.errs...)
		warnings = append(warnings, p.warnings...)
	}
	return errs, warnings
}

// claim is the Monitor that claimed a resource first: its name, document and place in the file.
type claim struct {
	monitor string
	doc     int
	index   int
}

// claimPresets claims the alarms m's presets expand to, for mine (m's own claim). A preset
// claims its alarms together: a clash is one problem per preset entry, not one per alarm.
func claimPresets(p *problems, m *Monitor, claims map[string]claim, mine claim) {
	type clash struct {
		names []string
		owner claim
	}
	byRef := map[int]*clash{}
	for _, pa := range expandPresets(&m.Spec) {
		key := "alarm\x00" + m.Spec.Region + "\x00" + pa.alarm.Name
		c, taken := claims[key]
		if !taken || c.index == mine.index {
			claims[key] = mine
			continue
		}
		if byRef[pa.ref] == nil {
			byRef[pa.ref] = &clash{owner: c}
		}
		byRef[pa.ref].names = append(byRef[pa.ref].names, pa.alarm.Name)
	}
	for j := range m.Spec.Presets {
		c := byRef[j]
		if c == nil {
			continue
		}
		more := ""
		if len(c.names) > 1 {
			more = fmt.Sprintf(" and %d more", len(c.names)-1)
		}
		p.errorf(fmt.Sprintf("spec.presets[%d]", j), "", "its alarms (%s%s) are already claimed by Monitor %q (document %d); two Monitors would undo each other's changes", c.names[0], more, c.owner.monitor, c.owner.doc)
	}
}

func validateMonitor(p *problems, m *Monitor) {
	if m.APIVersion != APIVersion {
		p.errorf("apiVersion", m.APIVersion, "must be %s", APIVersion)
	}
	if m.Kind != KindMonitor {
		p.errorf("kind", m.Kind, "must be %s", KindMonitor)
	}
	switch n := m.Metadata.Name; {
	case n == "":
		p.errorf("metadata.name", "", "is required")
	case len(n) > MaxMonitorName:
		p.errorf("metadata.name", n, "must be at most %d characters", MaxMonitorName)
	case !reMonitorName.MatchString(n):
		p.errorf("metadata.name", n, "may hold only lower-case letters, digits and '-', and must start and end with a letter or digit")
	}
	s := &m.Spec
	if s.Region != "" && !reRegion.MatchString(s.Region) {
		p.errorf("spec.region", s.Region, "must be an AWS region such as ap-southeast-2")
	}
	if s.Trail != nil {
		validateTrail(p, s.Trail)
	}
	validateLogGroup(p, &s.LogGroup)
	topics := validateTopics(p, s.Topics)
	if len(s.Alarms) > MaxFiltersPerLogGroup {
		p.errorf("spec.alarms", strconv.Itoa(len(s.Alarms)), "at most %d alarms: each is a metric filter, and a log group holds at most %d", MaxFiltersPerLogGroup, MaxFiltersPerLogGroup)
	}
	alarmNames := map[string]int{}
	filterNames := map[string]int{}
	for i := range s.Alarms {
		a := &s.Alarms[i]
		path := fmt.Sprintf("spec.alarms[%d]", i)
		validateAlarm(p, path, a, topics)
		j, dupName := alarmNames[a.Name]
		if dupName && a.Name != "" {
			p.errorf(path+".name", a.Name, "duplicate alarm name (also spec.alarms[%d])", j)
		} else {
			alarmNames[a.Name] = i
		}
		// The filter name defaults to the alarm name: a duplicate alarm name is reported once.
		if j, dup := filterNames[a.FilterName]; dup && a.FilterName != "" && !(dupName && a.FilterName == a.Name) {
			p.errorf(path+".filterName", a.FilterName, "duplicate metric filter name in log group (also spec.alarms[%d]); filters are keyed by name, so one would overwrite the other", j)
		} else {
			filterNames[a.FilterName] = i
		}
	}
	checkPresetClashes(p, s, validatePresets(p, s, topics))
	validateHeartbeat(p, m, topics)
}

func validatePolicy(p *problems, path string, o Ownership) {
	if o.DeletionPolicy != "" && !contains(deletionPolicies, string(o.DeletionPolicy)) {
		p.errorf(path+".deletionPolicy", string(o.DeletionPolicy), "must be %s", oneOf(deletionPolicies))
	}
}

func validateTrail(p *problems, t *Trail) {
	const path = "spec.trail"
	if t.Name == "" {
		p.errorf(path+".name", "", "is required")
	} else if msg := trailNameProblem(t.Name); msg != "" {
		p.errorf(path+".name", t.Name, "%s", msg)
	}
	if t.S3BucketName == "" {
		p.errorf(path+".s3BucketName", "", "is required: CloudTrail always writes to S3, even when it also delivers to CloudWatch Logs")
	} else if !reBucket.MatchString(t.S3BucketName) || strings.Contains(t.S3BucketName, "..") || reIPv4.MatchString(t.S3BucketName) {
		p.errorf(path+".s3BucketName", t.S3BucketName, "must be an S3 bucket name: 3 to 63 lower-case letters, digits, '.' and '-'")
	}
	if len(t.S3KeyPrefix) > MaxS3KeyPrefix {
		p.errorf(path+".s3KeyPrefix", t.S3KeyPrefix, "must be at most %d characters", MaxS3KeyPrefix)
	}
	if t.CloudWatchLogsRoleArn == "" {
		p.errorf(path+".cloudWatchLogsRoleArn", "", "is required: CloudTrail assumes this role to write to the log group")
	} else if !reRoleArn.MatchString(t.CloudWatchLogsRoleArn) {
		p.errorf(path+".cloudWatchLogsRoleArn", t.CloudWatchLogsRoleArn, "must be an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)")
	}
	switch {
	case t.KMSKeyID == "" || reKMSKey.MatchString(t.KMSKeyID):
	case reKMSAlias.MatchString(t.KMSKeyID):
		// CloudTrail reports the key ARN, so an alias would read as drift on every pass, and
		// resolving it would take kms:DescribeKey each pass — for a name that can be re-pointed.
		p.errorf(path+".kmsKeyId", t.KMSKeyID, "must not be an alias, which cannot be checked for drift (CloudTrail reports the key ARN): use the key's id or key ARN")
	default:
		p.errorf(path+".kmsKeyId", t.KMSKeyID, "must be a KMS key id or key ARN")
	}
	if t.MultiRegion != nil && !*t.MultiRegion {
		p.warnf(path+".multiRegion", "false", "a single-region trail does not see KMS calls made in other regions (and CIS asks for a multi-region trail): activity there never reaches these alarms")
	}
	validatePolicy(p, path, t.Ownership)
}

func validateLogGroup(p *problems, g *LogGroup) {
	const path = "spec.logGroup"
	if g.Name == "" {
		p.errorf(path+".name", "", "is required")
	} else if msg := logGroupNameProblem(g.Name); msg != "" {
		p.errorf(path+".name", g.Name, "%s", msg)
	}
	if g.RetentionInDays != 0 && !contains(retentionDays, g.RetentionInDays) {
		p.errorf(path+".retentionInDays", strconv.Itoa(g.RetentionInDays), "must be one of CloudWatch Logs' values %s (or leave it out: never expire)", intList(retentionDays))
	}
	switch stale := g.StaleAfter.Duration; {
	case stale < time.Minute:
		p.errorf(path+".staleAfter", FormatDuration(stale), "must be at least 1m")
	case stale > 24*time.Hour:
		p.errorf(path+".staleAfter", FormatDuration(stale), "must be at most 24h")
	case stale < cloudTrailMaxDelay:
		p.warnf(path+".staleAfter", FormatDuration(stale), "CloudTrail can take up to 15 minutes to deliver an event: a shorter staleAfter may warn about a healthy log group")
	}
	validatePolicy(p, path, g.Ownership)
}

// validateTopics checks the topics and returns their names, which alarm actions may use.
func validateTopics(p *problems, topics []Topic) map[string]bool {
	names := map[string]bool{}
	for i, t := range topics {
		path := fmt.Sprintf("spec.topics[%d]", i)
		switch {
		case t.Name == "":
			p.errorf(path+".name", "", "is required")
		case len(t.Name) > MaxTopicName:
			p.errorf(path+".name", t.Name, "must be at most %d characters", MaxTopicName)
		case strings.HasSuffix(t.Name, ".fifo"):
			p.errorf(path+".name", t.Name, "must be a standard topic: CloudWatch alarms cannot publish to FIFO topics")
		case !reTopicName.MatchString(t.Name):
			p.errorf(path+".name", t.Name, "may hold only letters, digits, '_' and '-'")
		case names[t.Name]:
			p.errorf(path+".name", t.Name, "duplicate topic name")
		}
		names[t.Name] = true
		if len(t.DisplayName) > MaxTopicDisplayName {
			p.errorf(path+".displayName", t.DisplayName, "must be at most %d characters", MaxTopicDisplayName)
		}
		validatePolicy(p, path, t.Ownership)
		seen := map[string]int{}
		for j := range t.Subscriptions {
			s := &t.Subscriptions[j]
			sp := fmt.Sprintf("%s.subscriptions[%d]", path, j)
			validateSubscription(p, sp, s)
			// Keyed by the endpoint itself, so that a written endpoint and a variable holding the
			// same one are duplicates too; an unresolved variable stands for itself.
			key := s.Protocol + " " + s.Target()
			if s.EndpointFrom != nil && s.Resolved == "" {
				key = s.Protocol + " $" + s.EndpointFrom.Env
			}
			if k, dup := seen[key]; dup {
				p.errorf(sp, s.Display(), "duplicate subscription (also %s.subscriptions[%d]); SNS keys subscriptions by protocol and endpoint", path, k)
			}
			seen[key] = j
		}
	}
	return names
}

// validateSubscription checks one subscription. Every endpoint it prints is a display form
// (Subscription.Display): an endpoint may carry a credential, and validation messages end up
// in CI logs.
func validateSubscription(p *problems, sp string, s *Subscription) {
	protocolOK := false
	switch {
	case s.Protocol == "":
		p.errorf(sp+".protocol", "", "is required")
	case !contains(protocols, s.Protocol):
		p.errorf(sp+".protocol", s.Protocol, "must be %s", oneOf(protocols))
	default:
		protocolOK = true
	}
	endpointPath := sp + ".endpoint"
	switch from := s.EndpointFrom; {
	case from != nil && s.Endpoint != "":
		p.errorf(sp, "", "give endpoint or endpointFrom, not both")
		return
	case from == nil && s.Endpoint == "":
		if protocolOK {
			p.errorf(endpointPath, "", "is required (or endpointFrom: {env: NAME} to read it from an environment variable)")
		}
		return
	case from != nil:
		endpointPath = sp + ".endpointFrom.env"
		if from.Env == "" {
			p.errorf(endpointPath, "", "is required: the name of the environment variable that holds the endpoint")
			return
		}
		if !reEnvName.MatchString(from.Env) {
			p.errorf(endpointPath, from.Env, "must be an environment variable name: letters, digits and '_', not starting with a digit")
			return
		}
	}
	target := s.Target()
	if !protocolOK || target == "" {
		return // no protocol to check against, or a variable left unresolved (reported already)
	}
	what := ""
	if s.EndpointFrom != nil {
		what = "the value of " + s.EndpointFrom.Env + " "
		if strings.TrimSpace(target) != target {
			p.errorf(endpointPath, s.Display(), "%shas leading or trailing white space (a newline from a file?)", what)
			return
		}
	}
	if msg := endpointProblem(s.Protocol, target); msg != "" {
		p.errorf(endpointPath, s.Display(), "%s%s", what, msg)
	}
	if s.Protocol == "email" || s.Protocol == "email-json" {
		p.warnf(endpointPath, s.Display(), "email subscriptions stay PendingConfirmation until the recipient clicks the link SNS sends, and nobody is told of an alarm before that (SNS deletes unconfirmed subscriptions after 48 hours)")
	}
}

func validateActions(p *problems, path string, actions []string, topics map[string]bool) {
	if len(actions) > MaxActions {
		p.errorf(path, strconv.Itoa(len(actions)), "at most %d actions per list", MaxActions)
	}
	seen := map[string]bool{}
	for i, act := range actions {
		ap := fmt.Sprintf("%s[%d]", path, i)
		switch {
		case seen[act]:
			p.errorf(ap, act, "duplicate action")
		case strings.HasPrefix(act, "arn:"):
			if !reTopicArn.MatchString(act) {
				p.errorf(ap, act, "must be an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME) or the name of a topic of this Monitor")
			}
		case !topics[act]:
			p.errorf(ap, act, "names no topic of this Monitor (spec.topics) and is not an SNS topic ARN")
		}
		seen[act] = true
	}
}

func validateAlarm(p *problems, path string, a *Alarm, topics map[string]bool) {
	switch {
	case a.Name == "":
		p.errorf(path+".name", "", "is required")
	case len(a.Name) > MaxAlarmName:
		p.errorf(path+".name", a.Name, "must be at most %d characters", MaxAlarmName)
	case strings.IndexFunc(a.Name, unicode.IsControl) >= 0:
		p.errorf(path+".name", a.Name, "must not hold control characters")
	}
	switch {
	case len(a.FilterName) > MaxFilterName:
		p.errorf(path+".filterName", a.FilterName, "must be at most %d characters", MaxFilterName)
	case strings.ContainsAny(a.FilterName, ":*"):
		p.errorf(path+".filterName", a.FilterName, "must not contain ':' or '*' (it defaults to the alarm name; set filterName to use such an alarm name)")
	}
	if len(a.Description) > MaxDescription {
		p.errorf(path+".description", a.Description, "must be at most %d characters", MaxDescription)
	}
	validateFilter(p, path, a)
	validateMetric(p, path+".metric", &a.Metric)
	if !contains(statistics, a.Statistic) {
		p.errorf(path+".statistic", a.Statistic, "must be %s", oneOf(statistics))
	}
	validatePeriods(p, path, a)
	if a.Threshold == nil {
		p.errorf(path+".threshold", "", "is required")
	}
	if a.Comparison == "" {
		p.errorf(path+".comparison", "", "is required; one of %s", oneOf(comparisons))
	} else if !contains(comparisons, a.Comparison) {
		p.errorf(path+".comparison", a.Comparison, "must be %s", oneOf(comparisons))
	}
	if !contains(treatMissingDataValues, a.TreatMissingData) {
		p.errorf(path+".treatMissingData", a.TreatMissingData, "must be %s", oneOf(treatMissingDataValues))
	}
	validateActions(p, path+".alarmActions", a.AlarmActions, topics)
	validateActions(p, path+".okActions", a.OKActions, topics)
	validateActions(p, path+".insufficientDataActions", a.InsufficientDataActions, topics)
	if len(a.AlarmActions) == 0 {
		p.warnf(path+".alarmActions", "", "the alarm has no alarm actions: it changes state in the console but tells no one")
	} else if a.ActionsEnabled != nil && !*a.ActionsEnabled {
		p.warnf(path+".actionsEnabled", "false", "actions are disabled: the alarm changes state but tells no one")
	}
	validatePolicy(p, path, a.Ownership)
}

func validatePeriods(p *problems, path string, a *Alarm) {
	period := a.Period.Duration
	secs := int64(period / time.Second)
	switch {
	case period == 0:
		p.errorf(path+".period", "", "is required: 10s, 20s, 30s or a multiple of 60s")
		return
	case period%time.Second != 0 || !(secs == 10 || secs == 20 || secs == 30 || secs%60 == 0):
		p.errorf(path+".period", FormatDuration(period), "must be 10s, 20s, 30s or a multiple of 60s")
		return
	}
	if secs < 60 {
		p.warnf(path+".period", FormatDuration(period), "a metric filter publishes one datapoint per minute, so a %s alarm sees one datapoint a minute and evaluates the %d empty periods between with treatMissingData (%s); use 60s or more unless that is what you want", FormatDuration(period), 60/secs-1, a.TreatMissingData)
	}
	if a.DatapointsToAlarm > a.EvaluationPeriods {
		p.errorf(path+".datapointsToAlarm", strconv.Itoa(a.DatapointsToAlarm), "must not exceed evaluationPeriods (%d)", a.EvaluationPeriods)
	}
	total := int64(a.EvaluationPeriods) * secs
	if a.EvaluationPeriods > MaxPeriodTotal || total > MaxPeriodTotal {
		p.errorf(path+".evaluationPeriods", strconv.Itoa(a.EvaluationPeriods), "period × evaluationPeriods must be at most 7 days (604800s), here %s × %d", FormatDuration(period), a.EvaluationPeriods)
	} else if secs < 3600 && total > MaxShortPeriodTotal {
		p.errorf(path+".evaluationPeriods", strconv.Itoa(a.EvaluationPeriods), "with a period under 1h, period × evaluationPeriods must be at most 1 day (86400s), here %s × %d", FormatDuration(period), a.EvaluationPeriods)
	}
}

func validateMetric(p *problems, path string, m *Metric) {
	switch {
	case m.Namespace == "":
		p.errorf(path+".namespace", "", "is required")
	case len(m.Namespace) > MaxMetricName:
		p.errorf(path+".namespace", m.Namespace, "must be at most %d characters", MaxMetricName)
	case !reMetricChars.MatchString(m.Namespace):
		p.errorf(path+".namespace", m.Namespace, "must not contain ':', '*' or '$'")
	case strings.HasPrefix(m.Namespace, "AWS/"):
		p.errorf(path+".namespace", m.Namespace, "must not start with AWS/ (reserved for AWS services)")
	}
	switch {
	case m.Name == "":
		p.errorf(path+".name", "", "is required")
	case len(m.Name) > MaxMetricName:
		p.errorf(path+".name", m.Name, "must be at most %d characters", MaxMetricName)
	case !reMetricChars.MatchString(m.Name):
		p.errorf(path+".name", m.Name, "must not contain ':', '*' or '$'")
	}
	if len(m.Value) > MaxMetricValue || !reMetricValue.MatchString(m.Value) {
		p.errorf(path+".value", m.Value, "must be a number such as \"1\", or a selector such as \"$.bytes\" (at most %d characters)", MaxMetricValue)
	}
	if m.Unit != "" && !contains(units, m.Unit) {
		p.errorf(path+".unit", m.Unit, "must be a CloudWatch unit such as Count, Seconds or None")
	}
}

func intList(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}
