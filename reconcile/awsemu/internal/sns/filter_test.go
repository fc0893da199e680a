package sns

import "testing"

func TestSNSFilterPolicy(t *testing.T) {
	attrs := map[string]string{"severity": "high", "region": "ap-southeast-2", "count": "7"}
	body := `{"detail":{"state":"ALARM","count":3,"tags":["a","b"]},"source":"aws.cloudwatch"}`
	cases := []struct {
		name   string
		policy string
		scope  string
		want   bool
	}{
		{"no policy", "", "", true},
		{"exact string", `{"severity":["high"]}`, "", true},
		{"values are OR'ed", `{"severity":["low","high"]}`, "", true},
		{"keys are AND'ed", `{"severity":["high"],"region":["us-east-1"]}`, "", false},
		{"absent attribute", `{"team":["sec"]}`, "", false},
		{"exists false", `{"team":[{"exists":false}]}`, "", true},
		{"exists true", `{"severity":[{"exists":true}]}`, "", true},
		{"prefix", `{"region":[{"prefix":"ap-"}]}`, "", true},
		{"suffix", `{"region":[{"suffix":"-1"}]}`, "", false},
		{"anything-but", `{"severity":[{"anything-but":["low","medium"]}]}`, "", true},
		{"anything-but excluded", `{"severity":[{"anything-but":"high"}]}`, "", false},
		{"numeric range on a Number attribute", `{"count":[{"numeric":[">",5,"<=",7]}]}`, "", true},
		{"numeric out of range", `{"count":[{"numeric":[">",7]}]}`, "", false},
		{"ignore case", `{"severity":[{"equals-ignore-case":"HIGH"}]}`, "", true},
		{"body nested", `{"detail":{"state":["ALARM"]}}`, "MessageBody", true},
		{"body number", `{"detail":{"count":[3]}}`, "MessageBody", true},
		{"body array element", `{"detail":{"tags":["b"]}}`, "MessageBody", true},
		{"body mismatch", `{"source":["aws.kms"]}`, "MessageBody", false},
		{"body scope on a non-JSON message", `{"source":["x"]}`, "MessageBody", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sub := map[string]string{}
			if tc.policy != "" {
				sub["FilterPolicy"] = tc.policy
			}
			if tc.scope != "" {
				sub["FilterPolicyScope"] = tc.scope
			}
			b := body
			if tc.name == "body scope on a non-JSON message" {
				b = "plain text"
			}
			if got := snsFilterAccepts(sub, attrs, b); got != tc.want {
				t.Fatalf("accepts = %v, want %v", got, tc.want)
			}
		})
	}
}
