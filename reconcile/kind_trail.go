package reconcile

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/kmswatch/kmswatch/reconcile/selectors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"

	"github.com/kmswatch/kmswatch/spec"
)

// trailKind is the CloudTrail trail that feeds a Monitor's log group, with its event selectors:
// what must hold for KMS events to reach the log group at all. A trail is repaired in place —
// logging restarted, delivery to the log group restored, KMS management events let back in — and,
// holding the audit trail, kept when removed from a Monitor unless its deletion policy says Delete.
//
// The marker costs a trail nothing on create (CreateTrail takes TagsList) and one
// cloudtrail:AddTags on an update (UpdateTrail, PutEventSelectors and StartLogging take none);
// reading it fresh is one cloudtrail:ListTags.
type trailKind struct{}

func (trailKind) desire(s *State, m spec.Monitor, env Env) {
	t := m.Spec.Trail
	if t == nil {
		return
	}
	s.Trail = &Trail{
		Name:         t.Name,
		ARN:          env.trailARN(t.Name),
		S3BucketName: t.S3BucketName,
		S3KeyPrefix:  t.S3KeyPrefix,
		// CloudTrail rejects a log group ARN without the trailing ":*":
		// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/send-cloudtrail-events-to-cloudwatch-logs.html
		LogGroupARN:       env.logGroupARN(m.Spec.LogGroup.Name) + ":*",
		RoleARN:           t.CloudWatchLogsRoleArn,
		MultiRegion:       *t.MultiRegion,
		LogFileValidation: *t.LogFileValidation,
		KMSKeyID:          t.KMSKeyID,
		Organization:      t.Organization,
		Logging:           true,
		Management:        selectors.Management{Included: true, ReadWriteType: "All"},
		Tags:              ownerTags(s, t.Ownership),
		Adopt:             t.Adopt,
	}
}

// observe completes, for each Monitor, the definitions that the pass's one DescribeTrails call
// returned with each trail's status and event selectors: the trails it wants or owns, and the
// trails that deliver to its log group (whose selectors decide whether KMS events arrive, and whose
// delivery errors are the Monitor's).
func (trailKind) observe(ctx context.Context, o *observer) error {
	for i, w := range o.wants {
		var desired string
		if w.Trail != nil {
			desired = w.Trail.Name
		}
		for _, name := range slices.Sorted(maps.Keys(o.names(i, KindTrail, desired))) {
			t, err := observeTrail(ctx, o, name)
			if err != nil {
				o.fail(i, err)
				continue
			}
			if t != nil {
				o.gots[i].Trails = append(o.gots[i].Trails, *t)
			}
		}
		if w.LogGroup == nil {
			continue
		}
		for _, def := range o.trails {
			if strings.TrimSuffix(aws.ToString(def.CloudWatchLogsLogGroupArn), ":*") != w.LogGroup.ARN {
				continue
			}
			name := aws.ToString(def.Name)
			sel, err := o.selectors(ctx, name)
			if err != nil {
				o.fail(i, err)
				continue
			}
			// Its delivery is the Monitor's delivery: its errors break the Monitor's pipeline.
			status, err := o.trailStatus(ctx, &def, nil)
			if err != nil {
				o.fail(i, err)
				continue
			}
			tags, _ := o.owners.get(trailRef(name))
			if t := findByName(o.gots[i].Trails, name, func(t Trail) string { return t.Name }); t != nil {
				tags = t.Tags // read this pass
			}
			o.gots[i].Feeding = append(o.gots[i].Feeding, Trail{Name: name, LogGroupARN: aws.ToString(def.CloudWatchLogsLogGroupArn),
				Selectors: sel, Management: sel.Management(), Tags: tags, Status: status, Logging: status.Logging})
		}
	}
	return nil
}

// observeTrail reads one trail's status and selectors; nil when the trail does not exist. Of an
// organization trail that another account owns (seen from a member account) it reads no more
// than DescribeTrails said: kmswatch never writes to it (trailKind.plan).
func observeTrail(ctx context.Context, o *observer, name string) (*Trail, error) {
	def := o.trail(name)
	if def == nil {
		o.gone(trailRef(name))
		return nil, nil
	}
	org := aws.ToBool(def.IsOrganizationTrail)
	if owner := arnAccount(aws.ToString(def.TrailARN)); owner != "" && owner != o.r.env.AccountID {
		return &Trail{Name: name, ARN: aws.ToString(def.TrailARN), Organization: &org}, nil
	}
	t := &Trail{
		Name:              name,
		ARN:               aws.ToString(def.TrailARN),
		S3BucketName:      aws.ToString(def.S3BucketName),
		S3KeyPrefix:       aws.ToString(def.S3KeyPrefix),
		LogGroupARN:       aws.ToString(def.CloudWatchLogsLogGroupArn),
		RoleARN:           aws.ToString(def.CloudWatchLogsRoleArn),
		MultiRegion:       aws.ToBool(def.IsMultiRegionTrail),
		LogFileValidation: aws.ToBool(def.LogFileValidationEnabled),
		KMSKeyID:          aws.ToString(def.KmsKeyId),
		Organization:      &org,
	}
	if t.ARN == "" {
		t.ARN = o.r.env.trailARN(name)
	}
	st, err := o.r.clients.CloudTrail.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(name)})
	if isNotFound(err) {
		o.gone(trailRef(name))
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("get status of trail %s: %w", name, err)
	}
	if t.Status, err = o.trailStatus(ctx, def, st); err != nil {
		return nil, err
	}
	t.Logging = t.Status.Logging
	if t.Selectors, err = o.selectors(ctx, name); err != nil {
		return nil, err
	}
	t.Management = t.Selectors.Management()
	t.Tags, err = o.tags(ctx, trailRef(name), func(ctx context.Context) (map[string]string, error) {
		return trailTagIO(name, t.ARN).read(ctx, o.r)
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

func (trailKind) plan(p *planner, want *State, got *Actual) (upserts, deletes []Step) {
	if w := want.Trail; w != nil {
		g := findByName(got.Trails, w.Name, func(t Trail) string { return t.Name })
		var gotTags map[string]string
		if g != nil {
			gotTags = g.Tags
		}
		c := p.decide(trailRef(w.Name), w.Adopt, g != nil, gotTags, func() []FieldChange { return diffTrail(w, g) })
		if g != nil {
			if reason := foreignTrail(w, g); reason != "" {
				// Not even adopt makes another account's trail writable from here.
				c = newChange(trailRef(w.Name), p.monitor)
				c.Action, c.Message = ActionConflict, reason
			} else {
				c.State = loggingState(g.Logging)
			}
		}
		s := p.step(c, w.Tags, gotTags, trailTagIO(w.Name, w.ARN), func(ctx context.Context, r *region) error { return writeTrail(ctx, r, w, g, c) })
		if s.apply != nil {
			s.appliedState = StateLogging // created or repaired: it logs now
		}
		upserts = append(upserts, s)
	}
	for _, g := range got.Trails {
		if p.owns(g.Tags) && (want.Trail == nil || want.Trail.Name != g.Name) {
			deletes = append(deletes, p.prune(trailRef(g.Name), g.Tags, spec.DefaultTrailDeletionPolicy, trailTagIO(g.Name, g.ARN),
				func(ctx context.Context, r *region) error {
					_, err := r.clients.CloudTrail.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: aws.String(g.Name)})
					return ignoreNotFound(err, "delete trail %s", g.Name)
				}))
		}
	}
	return upserts, deletes
}

// loggingState is a trail's state on its line.
func loggingState(logging bool) ResourceState {
	if logging {
		return StateLogging
	}
	return StateNotLogging
}

func diffTrail(want, got *Trail) []FieldChange {
	var d fieldDiff
	d.str("s3BucketName", got.S3BucketName, want.S3BucketName)
	d.str("s3KeyPrefix", got.S3KeyPrefix, want.S3KeyPrefix)
	d.str("cloudWatchLogsLogGroupArn", got.LogGroupARN, want.LogGroupARN)
	d.str("cloudWatchLogsRoleArn", got.RoleARN, want.RoleARN)
	d.bool("multiRegion", got.MultiRegion, want.MultiRegion)
	d.bool("logFileValidation", got.LogFileValidation, want.LogFileValidation)
	if want.KMSKeyID != "" && !sameKMSKey(got.KMSKeyID, want.KMSKeyID) { // unset means "don't care"
		d = append(d, FieldChange{Field: "kmsKeyId", From: got.KMSKeyID, To: want.KMSKeyID})
	}
	if want.Organization != nil && got.Organization != nil { // unset means "don't care"
		d.bool("organization", *got.Organization, *want.Organization)
	}
	d.bool("logging", got.Logging, want.Logging)
	d = append(d, diffManagement(want.Management, got.Management)...)
	d.tags(got.Tags, want.Tags)
	return d
}

// sameKMSKey tells whether the key a trail reports (CloudTrail reports the key ARN) is the key the
// spec names by key ARN, key id or "key/<id>". Spec validation rejects aliases, which only
// kms:DescribeKey could resolve.
func sameKMSKey(got, want string) bool {
	if got == want {
		return true
	}
	if strings.HasPrefix(want, "arn:") {
		return false
	}
	return strings.HasSuffix(got, ":key/"+strings.TrimPrefix(want, "key/"))
}

func diffManagement(want, got selectors.Management) []FieldChange {
	var d fieldDiff
	prefix := "eventSelectors."
	if got.Advanced {
		prefix = "advancedEventSelectors."
	}
	d.bool(prefix+"includeManagementEvents", got.Included, want.Included)
	d.str(prefix+"readWriteType", got.ReadWriteType, want.ReadWriteType)
	d.list(prefix+"excludeManagementEventSources", got.ExcludedSources, want.ExcludedSources)
	return d
}

// trailTagIO reaches a trail's tags, by ARN (moto keys a trail's tags by the literal id they
// were written with, and CreateTrail stores them under the ARN).
func trailTagIO(name, arn string) tagIO {
	return tagIO{
		read: func(ctx context.Context, r *region) (map[string]string, error) {
			tagged, err := r.trailTags(ctx, []string{arn})
			if err != nil {
				return nil, err
			}
			return tagged[arn], nil
		},
		write: func(ctx context.Context, r *region, tags map[string]string) error {
			if _, err := r.clients.CloudTrail.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: aws.String(arn), TagsList: trailTagList(tags)}); err != nil {
				return fmt.Errorf("tag trail %s: %w", name, err)
			}
			return nil
		},
	}
}

// writeTrail creates a trail (tagged), sets its selectors and starts it logging — a trail created
// through the API does not log until StartLogging — or repairs the parts that drifted, after the
// planner has written the tags (an adopted trail is then ours even if a later call fails): the
// definition with UpdateTrail (a partial update), the selectors with PutEventSelectors (a full
// replace, of the observed selectors repaired), logging with StartLogging.
func writeTrail(ctx context.Context, r *region, w, got *Trail, c Change) error {
	if c.Action == ActionCreate {
		return createTrail(ctx, r, w)
	}
	if in, ok := trailUpdate(w, c.Changes); ok {
		if _, err := r.clients.CloudTrail.UpdateTrail(ctx, in); err != nil {
			return trailWriteError("update trail "+w.Name, err, r.env.AccountID)
		}
	}
	if slices.ContainsFunc(c.Changes, func(f FieldChange) bool {
		return strings.HasPrefix(f.Field, "eventSelectors.") || strings.HasPrefix(f.Field, "advancedEventSelectors.")
	}) {
		if err := putSelectors(ctx, r, w.Name, got.Selectors); err != nil {
			return err
		}
	}
	if changed(c.Changes, "logging") {
		return startLogging(ctx, r, w.Name)
	}
	return nil
}

func createTrail(ctx context.Context, r *region, w *Trail) error {
	in := &cloudtrail.CreateTrailInput{
		Name:                       aws.String(w.Name),
		S3BucketName:               aws.String(w.S3BucketName),
		S3KeyPrefix:                nilIfEmpty(w.S3KeyPrefix),
		CloudWatchLogsLogGroupArn:  aws.String(w.LogGroupARN),
		CloudWatchLogsRoleArn:      aws.String(w.RoleARN),
		IsMultiRegionTrail:         aws.Bool(w.MultiRegion),
		EnableLogFileValidation:    aws.Bool(w.LogFileValidation),
		IncludeGlobalServiceEvents: aws.Bool(true),
		KmsKeyId:                   nilIfEmpty(w.KMSKeyID),
		IsOrganizationTrail:        w.Organization,
		TagsList:                   trailTagList(w.Tags),
	}
	if _, err := r.clients.CloudTrail.CreateTrail(ctx, in); err != nil {
		return trailWriteError("create trail "+w.Name, err, r.env.AccountID)
	}
	if err := putSelectors(ctx, r, w.Name, selectors.Set{}); err != nil {
		return err
	}
	return startLogging(ctx, r, w.Name)
}

// trailUpdate is the UpdateTrail call that repairs the trail's definition — a partial update, so
// only what drifted is sent — and false when nothing in the definition drifted.
func trailUpdate(w *Trail, changes []FieldChange) (*cloudtrail.UpdateTrailInput, bool) {
	in := &cloudtrail.UpdateTrailInput{Name: aws.String(w.Name)}
	update := false
	for _, f := range changes {
		switch f.Field {
		case "s3BucketName":
			in.S3BucketName = aws.String(w.S3BucketName)
		case "s3KeyPrefix":
			in.S3KeyPrefix = aws.String(w.S3KeyPrefix)
		case "cloudWatchLogsLogGroupArn", "cloudWatchLogsRoleArn":
			// CloudTrail wants the log group and the role together.
			in.CloudWatchLogsLogGroupArn = aws.String(w.LogGroupARN)
			in.CloudWatchLogsRoleArn = aws.String(w.RoleARN)
		case "multiRegion":
			in.IsMultiRegionTrail = aws.Bool(w.MultiRegion)
			if w.MultiRegion {
				// A multi-region trail must include global service events.
				in.IncludeGlobalServiceEvents = aws.Bool(true)
			}
		case "logFileValidation":
			in.EnableLogFileValidation = aws.Bool(w.LogFileValidation)
		case "kmsKeyId":
			in.KmsKeyId = aws.String(w.KMSKeyID)
		case "organization":
			in.IsOrganizationTrail = w.Organization
		default: // tags, selectors and logging have calls of their own
			continue
		}
		update = true
	}
	return in, update
}
