package awsemu

import (
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	tagging "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	taggingtypes "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
)

func (env *confEnv) tagging() *tagging.Client { return tagging.NewFromConfig(env.cfg) }

// seedTagged makes two tagged topics, one tagged key and an untagged topic.
func (env *confEnv) seedTagged() (owned, other, key string) {
	env.Helper()
	c := env.sns()
	mk := func(name, monitor string) string {
		out, err := c.CreateTopic(env.ctx, &sns.CreateTopicInput{Name: aws.String(name),
			Tags: []snstypes.Tag{{Key: aws.String("kmswatch.dev/monitor"), Value: aws.String(monitor)}, {Key: aws.String("kmswatch.dev/managed-by"), Value: aws.String("kmswatch")}}})
		env.must(err)
		return aws.ToString(out.TopicArn)
	}
	owned, other = mk("conf-owned", "m1"), mk("conf-other", "m2")
	env.topic("conf-untagged")
	k := env.key("tagged key")
	_, err := env.kms().TagResource(env.ctx, &kms.TagResourceInput{KeyId: k.KeyId, Tags: []kmstypes.Tag{{TagKey: aws.String("kmswatch.dev/monitor"), TagValue: aws.String("m1")}}})
	env.must(err)
	return owned, other, aws.ToString(k.Arn)
}

func (env *confEnv) resources(in *tagging.GetResourcesInput) []string {
	env.Helper()
	var arns []string
	p := tagging.NewGetResourcesPaginator(env.tagging(), in)
	for p.HasMorePages() {
		page, err := p.NextPage(env.ctx)
		env.must(err)
		for _, m := range page.ResourceTagMappingList {
			arns = append(arns, aws.ToString(m.ResourceARN))
		}
	}
	sort.Strings(arns)
	return arns
}

func taggingScenarios() []scenario {
	return []scenario{
		{name: "tagging/tag-filters", run: func(env *confEnv) {
			owned, other, key := env.seedTagged()
			env.eq("monitor m1", env.resources(&tagging.GetResourcesInput{TagFilters: []taggingtypes.TagFilter{
				{Key: aws.String("kmswatch.dev/monitor"), Values: []string{"m1"}}}}), []string{key, owned})
			env.eq("m1 or m2, managed", env.resources(&tagging.GetResourcesInput{TagFilters: []taggingtypes.TagFilter{
				{Key: aws.String("kmswatch.dev/monitor"), Values: []string{"m1", "m2"}}, {Key: aws.String("kmswatch.dev/managed-by")}}}), []string{other, owned})
		}},
		{name: "tagging/service-type-filters", run: func(env *confEnv) {
			owned, other, key := env.seedTagged()
			env.eq("sns", env.resources(&tagging.GetResourcesInput{ResourceTypeFilters: []string{"sns"}}), []string{other, owned})
			env.eq("kms", env.resources(&tagging.GetResourcesInput{ResourceTypeFilters: []string{"kms"}}), []string{key})
			env.eq("kms:key", env.resources(&tagging.GetResourcesInput{ResourceTypeFilters: []string{"kms:key"}}), []string{key})
		}},
		{name: "tagging/sns-topic-type-filter",
			motoGap: "moto matches SNS resources only by the bare service \"sns\", so \"sns:topic\" finds nothing; asserted instead: an empty result",
			run: func(env *confEnv) {
				owned, other, _ := env.seedTagged()
				want := []string{other, owned}
				if env.onMoto() {
					want = nil
				}
				env.eq("sns:topic", env.resources(&tagging.GetResourcesInput{ResourceTypeFilters: []string{"sns:topic"}}), want)
			}},
		{name: "tagging/pages", run: func(env *confEnv) {
			owned, other, key := env.seedTagged()
			var sizes []int
			p := tagging.NewGetResourcesPaginator(env.tagging(), &tagging.GetResourcesInput{ResourcesPerPage: aws.Int32(2),
				TagFilters: []taggingtypes.TagFilter{{Key: aws.String("kmswatch.dev/monitor")}}})
			for p.HasMorePages() {
				page, err := p.NextPage(env.ctx)
				env.must(err)
				sizes = append(sizes, len(page.ResourceTagMappingList))
			}
			env.eq("page sizes", sizes, []int{2, 1})
			_ = []string{owned, other, key}
		}},
		{name: "tagging/tag-keys-and-values",
			motoGap: "moto's GetTagKeys and GetTagValues do not see SNS topic or KMS key tags; asserted instead: both lists empty",
			run: func(env *confEnv) {
				env.seedTagged()
				keys, err := env.tagging().GetTagKeys(env.ctx, &tagging.GetTagKeysInput{})
				env.must(err)
				vals, err := env.tagging().GetTagValues(env.ctx, &tagging.GetTagValuesInput{Key: aws.String("kmswatch.dev/monitor")})
				env.must(err)
				sort.Strings(keys.TagKeys)
				sort.Strings(vals.TagValues)
				if env.onMoto() {
					env.eq("keys", len(keys.TagKeys), 0)
					env.eq("values", len(vals.TagValues), 0)
					return
				}
				env.eq("keys", keys.TagKeys, []string{"kmswatch.dev/managed-by", "kmswatch.dev/monitor"})
				env.eq("values", vals.TagValues, []string{"m1", "m2"})
			}},
		{name: "tagging/deleted-topic-not-listed", run: func(env *confEnv) {
			owned, other, _ := env.seedTagged()
			_, err := env.sns().DeleteTopic(env.ctx, &sns.DeleteTopicInput{TopicArn: aws.String(owned)})
			env.must(err)
			env.eq("topics left", env.resources(&tagging.GetResourcesInput{ResourceTypeFilters: []string{"sns"}}), []string{other})
		}},
	}
}
