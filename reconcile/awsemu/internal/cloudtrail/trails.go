package cloudtrail

import (
	"regexp"
	"strings"
	"time"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/core"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/wire"
)

// maxTrailsPerRegion is CloudTrail's quota; shadows of multi-region trails count in every region.
const maxTrailsPerRegion = 5

type trailInput struct {
	Name                       string  `json:"Name"`
	S3BucketName               *string `json:"S3BucketName"`
	S3KeyPrefix                *string `json:"S3KeyPrefix"`
	SnsTopicName               *string `json:"SnsTopicName"`
	IncludeGlobalServiceEvents *bool   `json:"IncludeGlobalServiceEvents"`
	IsMultiRegionTrail         *bool   `json:"IsMultiRegionTrail"`
	EnableLogFileValidation    *bool   `json:"EnableLogFileValidation"`
	CloudWatchLogsLogGroupArn  *string `json:"CloudWatchLogsLogGroupArn"`
	CloudWatchLogsRoleArn      *string `json:"CloudWatchLogsRoleArn"`
	KmsKeyID                   *string `json:"KmsKeyId"`
	IsOrganizationTrail        *bool   `json:"IsOrganizationTrail"`
	TagsList                   []ctTag `json:"TagsList"`
}

// trailOut is types.Trail on the wire (and CreateTrail/UpdateTrail's output, which lacks the
// pointer members).
type trailOut struct {
	Name                       string `json:"Name"`
	S3BucketName               string `json:"S3BucketName"`
	S3KeyPrefix                string `json:"S3KeyPrefix,omitempty"`
	SnsTopicName               string `json:"SnsTopicName,omitempty"`
	SnsTopicARN                string `json:"SnsTopicARN,omitempty"`
	IncludeGlobalServiceEvents bool   `json:"IncludeGlobalServiceEvents"`
	IsMultiRegionTrail         bool   `json:"IsMultiRegionTrail"`
	HomeRegion                 string `json:"HomeRegion,omitempty"`
	TrailARN                   string `json:"TrailARN"`
	LogFileValidationEnabled   bool   `json:"LogFileValidationEnabled"`
	CloudWatchLogsLogGroupArn  string `json:"CloudWatchLogsLogGroupArn,omitempty"`
	CloudWatchLogsRoleArn      string `json:"CloudWatchLogsRoleArn,omitempty"`
	KmsKeyID                   string `json:"KmsKeyId,omitempty"`
	HasCustomEventSelectors    *bool  `json:"HasCustomEventSelectors,omitempty"`
	HasInsightSelectors        *bool  `json:"HasInsightSelectors,omitempty"`
	IsOrganizationTrail        bool   `json:"IsOrganizationTrail"`
}

func (s *cloudTrailService) out(t *trail, full bool) trailOut {
	o := trailOut{
		Name: t.name, S3BucketName: t.bucket, S3KeyPrefix: t.prefix, SnsTopicName: t.snsTopic,
		IncludeGlobalServiceEvents: t.includeGlobal, IsMultiRegionTrail: t.multiRegion, TrailARN: t.arn,
		LogFileValidationEnabled: t.validation, CloudWatchLogsLogGroupArn: t.cwGroup, CloudWatchLogsRoleArn: t.cwRole,
		KmsKeyID: t.kmsKeyID, IsOrganizationTrail: t.org,
	}
	if t.snsTopic != "" {
		o.SnsTopicARN = "arn:aws:sns:" + t.region + ":" + s.w.Account + ":" + t.snsTopic
	}
	if full {
		custom, insight := t.selectors != nil || t.advanced != nil, false
		o.HomeRegion, o.HasCustomEventSelectors, o.HasInsightSelectors = t.region, &custom, &insight
	}
	return o
}

var kmsKeyIDRE = regexp.MustCompile(`^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|mrk-[0-9a-f]{32}|alias/[a-zA-Z0-9:/_-]+|arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key/[a-zA-Z0-9-]+|alias/[a-zA-Z0-9:/_-]+))$`)

// apply validates the settable members of in against the emulator's world and copies them onto
// t; nil members are left as they are (UpdateTrail is a partial update).
func (s *cloudTrailService) apply(c *core.Call, t *trail, in *trailInput) error {
	if in.S3BucketName != nil {
		if !s.w.Buckets[*in.S3BucketName] {
			return wire.Errorf("S3BucketDoesNotExistException", "S3 bucket "+*in.S3BucketName+" does not exist.")
		}
		t.bucket = *in.S3BucketName
	}
	if in.S3KeyPrefix != nil {
		if len(*in.S3KeyPrefix) > 200 {
			return wire.Errorf("InvalidS3PrefixException", "S3 key prefix must be at most 200 characters.")
		}
		t.prefix = *in.S3KeyPrefix
	}
	if in.SnsTopicName != nil {
		if len(*in.SnsTopicName) > 256 {
			return wire.Errorf("InvalidSnsTopicNameException", "SNS topic name must be at most 256 characters.")
		}
		t.snsTopic = strings.TrimPrefix(*in.SnsTopicName, "arn:aws:sns:"+t.region+":"+s.w.Account+":")
	}
	if in.IncludeGlobalServiceEvents != nil {
		t.includeGlobal = *in.IncludeGlobalServiceEvents
	}
	if in.IsMultiRegionTrail != nil {
		t.multiRegion = *in.IsMultiRegionTrail
	}
	if t.multiRegion && !t.includeGlobal {
		return wire.Errorf("InvalidParameterCombinationException", "Multi-Region trail must include global service events.")
	}
	if in.EnableLogFileValidation != nil {
		t.validation = *in.EnableLogFileValidation
	}
	if in.IsOrganizationTrail != nil {
		if *in.IsOrganizationTrail {
			if err := s.mayOrganize(c); err != nil {
				return err
			}
		}
		t.org = *in.IsOrganizationTrail
	}
	if in.KmsKeyID != nil {
		switch {
		case *in.KmsKeyID == "":
			t.kmsKeyID = ""
		case !kmsKeyIDRE.MatchString(*in.KmsKeyID):
			return wire.Errorf("InvalidKmsKeyIdException", "Invalid KmsKeyId "+*in.KmsKeyID+".")
		case strings.HasPrefix(*in.KmsKeyID, "arn:"):
			t.kmsKeyID = *in.KmsKeyID
		case strings.HasPrefix(*in.KmsKeyID, "alias/"):
			t.kmsKeyID = "arn:aws:kms:" + t.region + ":" + s.w.Account + ":" + *in.KmsKeyID
		default:
			// CloudTrail reports the key by its full ARN.
			t.kmsKeyID = "arn:aws:kms:" + t.region + ":" + s.w.Account + ":key/" + *in.KmsKeyID
		}
	}
	return s.applyLogs(t, in.CloudWatchLogsLogGroupArn, in.CloudWatchLogsRoleArn)
}

// applyLogs sets CloudWatch Logs delivery. The group ARN must be a log group's ARN ending in ":*"
// (the form DescribeLogGroups' arn has), in the trail's region and account, of a group that
// exists; a role that exists must come with it. Empty strings for both, as the CLI sends for
// "--cloud-watch-logs-log-group-arn ”", turn delivery off.
func (s *cloudTrailService) applyLogs(t *trail, group, role *string) error {
	if group == nil && role == nil {
		return nil
	}
	g, r := t.cwGroup, t.cwRole
	if group != nil {
		g = *group
	}
	if role != nil {
		r = *role
	}
	switch {
	case g == "" && r == "":
		t.cwGroup, t.cwRole = "", ""
		return nil
	case g == "":
		return wire.Errorf("InvalidCloudWatchLogsLogGroupArnException", "You must specify a log group ARN together with the role ARN.")
	}
	region, name, ok := core.ParseLogGroupARN(g)
	if !ok || !strings.HasSuffix(g, ":*") || region != t.region || strings.Split(g, ":")[4] != s.w.Account || s.logGroupMissing(region, name) {
		return wire.Errorf("InvalidCloudWatchLogsLogGroupArnException", "CloudTrail cannot validate the specified log group ARN: "+g+".")
	}
	if r == "" || !s.w.Roles[r] {
		return wire.Errorf("InvalidCloudWatchLogsRoleArnException", "Access denied. Verify in IAM that the role "+r+" exists and has adequate permissions.")
	}
	t.cwGroup, t.cwRole = g, r
	return nil
}

// logGroupMissing asks the Logs service whether a group exists, through the bus: a delivery of
// no events only checks that the group is there.
func (s *cloudTrailService) logGroupMissing(region, name string) bool {
	if s.w.Bus.PutLogEvents == nil {
		return true
	}
	return s.w.Bus.PutLogEvents("arn:aws:logs:"+region+":"+s.w.Account+":log-group:"+name, "", nil) != nil
}

func (s *cloudTrailService) createTrail(c *core.Call) (any, error) {
	var in trailInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if err := validTrailName(in.Name); err != nil {
		return nil, err
	}
	multi := in.IsMultiRegionTrail != nil && *in.IsMultiRegionTrail
	count := 0
	for _, t := range s.trails {
		if t.name == in.Name && (t.region == c.Region || t.multiRegion || multi) {
			return nil, wire.Errorf("TrailAlreadyExistsException", "Trail "+in.Name+" already exists for customer: "+s.w.Account)
		}
		if t.region == c.Region || t.multiRegion {
			count++
		}
	}
	if in.S3BucketName == nil {
		return nil, c.Validation("1 validation error detected: Value null at 'S3BucketName' failed to satisfy constraint: Member must not be null")
	}
	tags, err := validTrailTags(in.TagsList, nil)
	if err != nil {
		return nil, err
	}
	t := &trail{name: in.Name, region: c.Region, arn: s.trailARN(c.Region, in.Name), includeGlobal: true}
	if err := s.apply(c, t, &in); err != nil {
		return nil, err
	}
	if count >= maxTrailsPerRegion {
		return nil, wire.Errorf("MaximumNumberOfTrailsExceededException", "User: "+s.w.Account+" already has 5 trails in "+c.Region+".")
	}
	s.trails[t.arn] = t
	// As for every service here, only a tagged resource gets an entry in the tag store (the
	// Tagging API lists resources that are or were tagged).
	if len(tags) > 0 {
		s.w.Tags.Set(t.arn, tags)
	}
	return s.out(t, false), nil
}

func (s *cloudTrailService) updateTrail(c *core.Call) (any, error) {
	var in trailInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	t, err := s.findHome(c, in.Name)
	if err != nil {
		return nil, err
	}
	// Validate on a copy so that a rejected update changes nothing.
	next := *t
	if err := s.apply(c, &next, &in); err != nil {
		return nil, err
	}
	if next.multiRegion && !t.multiRegion {
		for _, o := range s.trails {
			if o != t && o.name == t.name {
				return nil, wire.Errorf("TrailAlreadyExistsException", "Trail "+t.name+" already exists for customer: "+s.w.Account)
			}
		}
	}
	*t = next
	return s.out(t, false), nil
}

func (s *cloudTrailService) getTrail(c *core.Call) (any, error) {
	var in struct {
		Name string `json:"Name"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	t, err := s.find(c, in.Name)
	if err != nil {
		return nil, err
	}
	return struct {
		Trail trailOut `json:"Trail"`
	}{s.out(t, true)}, nil
}

// describeTrails is not paginated. Names match the trails of the request's region (its own);
// ARNs match any trail. Unknown names and ARNs are left out, not errors. Trails come in ARN order.
func (s *cloudTrailService) describeTrails(c *core.Call) (any, error) {
	var in struct {
		Names         []string `json:"trailNameList"`
		IncludeShadow *bool    `json:"includeShadowTrails"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	shadows := in.IncludeShadow == nil || *in.IncludeShadow
	wanted := map[string]bool{}
	for _, n := range in.Names {
		if strings.HasPrefix(n, "arn:") {
			if !trailARNRE.MatchString(n) {
				return nil, wire.Errorf("CloudTrailARNInvalidException", "Invalid trail ARN: "+n+".")
			}
			wanted[n] = true
			continue
		}
		if err := validTrailName(n); err != nil {
			return nil, err
		}
		wanted[s.trailARN(c.Region, n)] = true
	}
	var out struct {
		Trails []trailOut `json:"trailList"`
	}
	out.Trails = []trailOut{}
	for _, arn := range s.sortedARNs() {
		t := s.trails[arn]
		switch {
		case len(wanted) > 0:
			// An ARN names any trail, another region's single-region trail included.
			if !wanted[t.arn] {
				continue
			}
		case t.region != c.Region && (!t.multiRegion || !shadows):
			continue
		}
		out.Trails = append(out.Trails, s.out(t, true))
	}
	return out, nil
}

func (s *cloudTrailService) deleteTrail(c *core.Call) (any, error) {
	var in struct {
		Name string `json:"Name"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	t, err := s.findHome(c, in.Name)
	if err != nil {
		return nil, err
	}
	// The bucket, its log files and the log group stay (DeleteTrail's documentation); the
	// trail's tags and undelivered records go with it.
	delete(s.trails, t.arn)
	s.w.Tags.Drop(t.arn)
	return struct{}{}, nil
}

type trailStatusOut struct {
	IsLogging                         bool       `json:"IsLogging"`
	StartLoggingTime                  *time.Time `json:"StartLoggingTime,omitempty"`
	StopLoggingTime                   *time.Time `json:"StopLoggingTime,omitempty"`
	LatestDeliveryTime                *time.Time `json:"LatestDeliveryTime,omitempty"`
	LatestDeliveryError               string     `json:"LatestDeliveryError,omitempty"`
	LatestDigestDeliveryTime          *time.Time `json:"LatestDigestDeliveryTime,omitempty"`
	LatestDigestDeliveryError         string     `json:"LatestDigestDeliveryError,omitempty"`
	LatestCloudWatchLogsDeliveryTime  *time.Time `json:"LatestCloudWatchLogsDeliveryTime,omitempty"`
	LatestCloudWatchLogsDeliveryError string     `json:"LatestCloudWatchLogsDeliveryError,omitempty"`
	// The string members are "no longer in use" but AWS still fills them (the AWS CLI's
	// get-trail-status example shows them beside their timestamp twins): the time of the latest
	// attempt, and of the latest attempt that succeeded.
	TimeLoggingStarted             string `json:"TimeLoggingStarted,omitempty"`
	TimeLoggingStopped             string `json:"TimeLoggingStopped,omitempty"`
	LatestDeliveryAttemptTime      string `json:"LatestDeliveryAttemptTime,omitempty"`
	LatestDeliveryAttemptSucceeded string `json:"LatestDeliveryAttemptSucceeded,omitempty"`
}

func isoSeconds(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func (s *cloudTrailService) getTrailStatus(c *core.Call) (any, error) {
	var in struct {
		Name string `json:"Name"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	t, err := s.find(c, in.Name)
	if err != nil {
		return nil, err
	}
	return trailStatusOut{
		IsLogging: t.logging, StartLoggingTime: timePtr(t.startTime), StopLoggingTime: timePtr(t.stopTime),
		LatestDeliveryTime: timePtr(t.s3.success), LatestDeliveryError: t.s3.err,
		LatestDigestDeliveryTime: timePtr(t.digest.success), LatestDigestDeliveryError: t.digest.err,
		LatestCloudWatchLogsDeliveryTime: timePtr(t.latestCWL), LatestCloudWatchLogsDeliveryError: t.latestCWLError,
		TimeLoggingStarted: isoSeconds(t.startTime), TimeLoggingStopped: isoSeconds(t.stopTime),
		LatestDeliveryAttemptTime: isoSeconds(t.s3.attempt), LatestDeliveryAttemptSucceeded: isoSeconds(t.s3.success),
	}, nil
}

func (s *cloudTrailService) startLogging(c *core.Call) (any, error) {
	var in struct {
		Name string `json:"Name"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	t, err := s.findHome(c, in.Name)
	if err != nil {
		return nil, err
	}
	if !t.logging {
		t.logging, t.startTime = true, c.Now
	}
	return struct{}{}, nil
}

func (s *cloudTrailService) stopLogging(c *core.Call) (any, error) {
	var in struct {
		Name string `json:"Name"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	t, err := s.findHome(c, in.Name)
	if err != nil {
		return nil, err
	}
	if t.logging {
		t.logging, t.stopTime, s.stopping = false, c.Now, t.arn
	}
	return struct{}{}, nil
}

// mayOrganize is CloudTrail's check before a trail becomes an organization trail: the account
// belongs to an organization with all features, it is the management account, CloudTrail's
// trusted access is on, and the caller holds the permissions CloudTrail needs in AWS
// Organizations and IAM. The messages are the API reference's descriptions of each error:
// https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateTrail.html
// A CloudTrail delegated administrator is not modelled: its organization trails belong to the
// management account, whose resources the emulator does not hold when it is not that account.
func (s *cloudTrailService) mayOrganize(c *core.Call) error {
	org := s.w.Org
	switch {
	case !org.Has(s.w.Account):
		return wire.Errorf("OrganizationsNotInUseException",
			"This request was made from an account that is not a member of an organization. To make this request, sign in using the credentials of an account that belongs to an organization.")
	case !org.AllFeatures:
		return wire.Errorf("OrganizationNotInAllFeaturesModeException",
			"Organizations is not configured to support all features. All features must be enabled in Organizations to support creating an organization trail.")
	case org.Management != s.w.Account:
		return wire.Errorf("NotOrganizationMasterAccountException",
			"The account "+s.w.Account+" making the request to create or update an organization trail is not the management account for an organization in Organizations.")
	case !org.TrustedAccess:
		return wire.Errorf("CloudTrailAccessNotEnabledException",
			"Trusted access has not been enabled between CloudTrail and Organizations.")
	case org.Unprivileged[c.AccessKey]:
		return wire.Errorf("InsufficientDependencyServiceAccessPermissionException",
			"The IAM identity "+c.Principal.ARN+" that is used to create the organization trail lacks one or more required permissions for creating an organization resource in a required service.")
	}
	return nil
}
