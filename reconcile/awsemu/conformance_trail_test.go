package awsemu

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
)

func (env *confEnv) trails() *cloudtrail.Client { return cloudtrail.NewFromConfig(env.cfg) }

const confBucket = "kmswatch-conformance-bucket"

func confTrailARN(name string) string {
	return "arn:aws:cloudtrail:us-east-1:" + confAccount + ":trail/" + name
}

// trail creates a trail on a seeded bucket.
func (env *confEnv) trail(name string) *cloudtrail.CreateTrailOutput {
	env.Helper()
	env.seedBucket(confBucket)
	out, err := env.trails().CreateTrail(env.ctx, &cloudtrail.CreateTrailInput{Name: aws.String(name), S3BucketName: aws.String(confBucket)})
	env.must(err)
	return out
}

func cloudtrailScenarios() []scenario {
	return []scenario{
		{name: "cloudtrail/create-needs-bucket", run: func(env *confEnv) {
			_, err := env.trails().CreateTrail(env.ctx, &cloudtrail.CreateTrailInput{Name: aws.String("conf-nobucket"), S3BucketName: aws.String("conf-missing-bucket")})
			env.code(err, "S3BucketDoesNotExistException")
		}},
		{name: "cloudtrail/create-and-get-trail",
			motoGap: "moto's GetTrail leaves HomeRegion out; asserted instead: HomeRegion empty",
			run: func(env *confEnv) {
				out := env.trail("conf-trail")
				home := "us-east-1"
				if env.onMoto() {
					home = ""
				}
				env.eq("TrailARN", aws.ToString(out.TrailARN), confTrailARN("conf-trail"))
				for _, ref := range []string{"conf-trail", confTrailARN("conf-trail")} {
					got, err := env.trails().GetTrail(env.ctx, &cloudtrail.GetTrailInput{Name: aws.String(ref)})
					env.must(err)
					env.eq("S3BucketName", aws.ToString(got.Trail.S3BucketName), confBucket)
					env.eq("IsMultiRegionTrail", aws.ToBool(got.Trail.IsMultiRegionTrail), false)
					env.eq("HomeRegion", aws.ToString(got.Trail.HomeRegion), home)
				}
			}},
		{name: "cloudtrail/invalid-name", run: func(env *confEnv) {
			env.seedBucket(confBucket)
			_, err := env.trails().CreateTrail(env.ctx, &cloudtrail.CreateTrailInput{Name: aws.String("ab"), S3BucketName: aws.String(confBucket)})
			env.code(err, "InvalidTrailNameException")
		}},
		{name: "cloudtrail/create-duplicate",
			motoGap: "moto silently replaces a trail created again under the same name, AWS refuses with TrailAlreadyExistsException; asserted instead: success",
			run: func(env *confEnv) {
				env.trail("conf-dup")
				_, err := env.trails().CreateTrail(env.ctx, &cloudtrail.CreateTrailInput{Name: aws.String("conf-dup"), S3BucketName: aws.String(confBucket)})
				if env.onMoto() {
					env.must(err)
					return
				}
				env.code(err, "TrailAlreadyExistsException")
			}},
		{name: "cloudtrail/new-trail-not-logging-until-started", run: func(env *confEnv) {
			env.trail("conf-logging")
			c := env.trails()
			st, err := c.GetTrailStatus(env.ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("conf-logging")})
			env.must(err)
			env.eq("IsLogging before StartLogging", aws.ToBool(st.IsLogging), false)
			_, err = c.StartLogging(env.ctx, &cloudtrail.StartLoggingInput{Name: aws.String("conf-logging")})
			env.must(err)
			st, err = c.GetTrailStatus(env.ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("conf-logging")})
			env.must(err)
			env.eq("IsLogging", aws.ToBool(st.IsLogging), true)
			_, err = c.StopLogging(env.ctx, &cloudtrail.StopLoggingInput{Name: aws.String("conf-logging")})
			env.must(err)
			st, err = c.GetTrailStatus(env.ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("conf-logging")})
			env.must(err)
			env.eq("IsLogging after StopLogging", aws.ToBool(st.IsLogging), false)
		}},
		{name: "cloudtrail/start-logging-by-arn",
			motoGap: "moto 5.2.1 answers StartLogging by trail ARN with HTTP 500 (fixed in 5.2.3); asserted instead: the call fails",
			run: func(env *confEnv) {
				env.trail("conf-arn")
				_, err := env.trails().StartLogging(env.ctx, &cloudtrail.StartLoggingInput{Name: aws.String(confTrailARN("conf-arn"))})
				if env.onMoto() {
					env.truth("StartLogging by ARN fails on moto 5.2.1", err != nil)
					return
				}
				env.must(err)
			}},
		{name: "cloudtrail/describe-trails-by-name",
			motoGap: "moto ignores trailNameList and returns every trail; asserted instead: both trails",
			run: func(env *confEnv) {
				env.trail("conf-one")
				env.trail("conf-two")
				out, err := env.trails().DescribeTrails(env.ctx, &cloudtrail.DescribeTrailsInput{TrailNameList: []string{"conf-one"}})
				env.must(err)
				want := 1
				if env.onMoto() {
					want = 2
				}
				env.eq("trails", len(out.TrailList), want)
			}},
		{name: "cloudtrail/event-selectors-round-trip", run: func(env *confEnv) {
			env.trail("conf-selectors")
			c := env.trails()
			_, err := c.PutEventSelectors(env.ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("conf-selectors"),
				EventSelectors: []cttypes.EventSelector{{IncludeManagementEvents: aws.Bool(true), ReadWriteType: cttypes.ReadWriteTypeAll,
					ExcludeManagementEventSources: []string{"kms.amazonaws.com"}}}})
			env.must(err)
			out, err := c.GetEventSelectors(env.ctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String("conf-selectors")})
			env.must(err)
			env.eq("selectors", len(out.EventSelectors), 1)
			env.eq("ExcludeManagementEventSources", out.EventSelectors[0].ExcludeManagementEventSources, []string{"kms.amazonaws.com"})
			env.eq("ReadWriteType", out.EventSelectors[0].ReadWriteType, cttypes.ReadWriteTypeAll)
		}},
		{name: "cloudtrail/tags", run: func(env *confEnv) {
			env.trail("conf-tagged")
			arn := aws.String(confTrailARN("conf-tagged"))
			c := env.trails()
			_, err := c.AddTags(env.ctx, &cloudtrail.AddTagsInput{ResourceId: arn, TagsList: []cttypes.Tag{
				{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("b"), Value: aws.String("2")}}})
			env.must(err)
			_, err = c.RemoveTags(env.ctx, &cloudtrail.RemoveTagsInput{ResourceId: arn, TagsList: []cttypes.Tag{{Key: aws.String("a")}}})
			env.must(err)
			out, err := c.ListTags(env.ctx, &cloudtrail.ListTagsInput{ResourceIdList: []string{*arn}})
			env.must(err)
			env.eq("resources", len(out.ResourceTagList), 1)
			env.eq("tags", len(out.ResourceTagList[0].TagsList), 1)
			env.eq("b", aws.ToString(out.ResourceTagList[0].TagsList[0].Value), "2")
		}},
		{name: "cloudtrail/delete-trail",
			motoGap: "moto answers DeleteTrail of a missing trail with success, AWS with TrailNotFoundException; asserted instead: success",
			run: func(env *confEnv) {
				env.trail("conf-delete")
				c := env.trails()
				_, err := c.DeleteTrail(env.ctx, &cloudtrail.DeleteTrailInput{Name: aws.String("conf-delete")})
				env.must(err)
				_, err = c.GetTrail(env.ctx, &cloudtrail.GetTrailInput{Name: aws.String("conf-delete")})
				env.code(err, "TrailNotFoundException")
				_, err = c.DeleteTrail(env.ctx, &cloudtrail.DeleteTrailInput{Name: aws.String("conf-delete")})
				if env.onMoto() {
					env.must(err)
					return
				}
				env.code(err, "TrailNotFoundException")
			}},
		{name: "cloudtrail/delete-trail-by-arn",
			motoGap: "moto's DeleteTrail by ARN is a silent no-op (it looks names up only); asserted instead: the trail is still there",
			run: func(env *confEnv) {
				env.trail("conf-del-arn")
				c := env.trails()
				_, err := c.DeleteTrail(env.ctx, &cloudtrail.DeleteTrailInput{Name: aws.String(confTrailARN("conf-del-arn"))})
				env.must(err)
				_, err = c.GetTrail(env.ctx, &cloudtrail.GetTrailInput{Name: aws.String("conf-del-arn")})
				if env.onMoto() {
					env.must(err)
					return
				}
				env.code(err, "TrailNotFoundException")
			}},
		{name: "cloudtrail/delete-trail-drops-tags",
			motoGap: "moto keeps a deleted trail's tags and answers ListTags for it; asserted instead: the tag is still listed",
			run: func(env *confEnv) {
				env.seedBucket(confBucket)
				c := env.trails()
				_, err := c.CreateTrail(env.ctx, &cloudtrail.CreateTrailInput{Name: aws.String("conf-del-tags"), S3BucketName: aws.String(confBucket),
					TagsList: []cttypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
				env.must(err)
				_, err = c.DeleteTrail(env.ctx, &cloudtrail.DeleteTrailInput{Name: aws.String("conf-del-tags")})
				env.must(err)
				out, err := c.ListTags(env.ctx, &cloudtrail.ListTagsInput{ResourceIdList: []string{confTrailARN("conf-del-tags")}})
				if env.onMoto() {
					env.must(err)
					env.eq("tags", len(out.ResourceTagList[0].TagsList), 1)
					return
				}
				env.code(err, "ResourceNotFoundException")
			}},
		{name: "cloudtrail/log-group-arn-needs-suffix",
			motoGap: "moto does not validate CloudWatchLogsLogGroupArn; asserted instead: an ARN without \":*\" is accepted",
			run: func(env *confEnv) {
				env.seedBucket(confBucket)
				env.seedRole("arn:aws:iam::" + confAccount + ":role/CloudTrailToLogs")
				_, err := env.logs().CreateLogGroup(env.ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("conf-trail-group")})
				env.must(err)
				_, err = env.trails().CreateTrail(env.ctx, &cloudtrail.CreateTrailInput{Name: aws.String("conf-cwl"), S3BucketName: aws.String(confBucket),
					CloudWatchLogsLogGroupArn: aws.String("arn:aws:logs:us-east-1:" + confAccount + ":log-group:conf-trail-group"),
					CloudWatchLogsRoleArn:     aws.String("arn:aws:iam::" + confAccount + ":role/CloudTrailToLogs")})
				if env.onMoto() {
					env.must(err)
					return
				}
				env.code(err, "InvalidCloudWatchLogsLogGroupArnException")
			}},
	}
}
