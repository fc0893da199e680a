package pattern

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// CIS patterns, verbatim as Security Hub publishes them
// (https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html), and the
// spacing variant CIS texts print.
const (
	cisCloudTrailChanges = `{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }`
	cisKMSDisableDelete  = `{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion))}`
	cisKMSDisableDelete2 = `{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }`
	cisUnauthorized      = `{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }`
	cisRoot              = `{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }`
	cisConsoleFailures   = `{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }`
	cisConfigChanges     = `{($.eventSource = config.amazonaws.com) && (($.eventName=StopConfigurationRecorder)||($.eventName=DeleteDeliveryChannel)||($.eventName=PutDeliveryChannel)||($.eventName=PutConfigurationRecorder))}`

	// The lab's pattern: KMS errors made by the ECS task role.
	labPattern = `{ $.errorCode = "*" && $.eventSource= "kms.amazonaws.com" && $.userIdentity.sessionContext.sessionIssuer.arn = "arn:aws:iam::111122223333:role/pattern1-app-Pattern1ECSTaskRole" }`
)

// The Apache lines of the AWS space-delimited examples.
const (
	apache200 = `127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534`
	apache500 = `127.0.0.1 - frank [10/Oct/2000:13:35:22 -0700] "GET /apache_pb.gif HTTP/1.0" 500 5324`
	apache404 = `127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /products/index.html HTTP/1.0" 404 1534`
)

// event returns the text of an event: "@name" reads testdata/name.json.
func event(t testing.TB, ev string) string {
	t.Helper()
	if !strings.HasPrefix(ev, "@") {
		return ev
	}
	b, err := os.ReadFile(filepath.Join("testdata", ev[1:]+".json"))
	if err != nil {
		t.Fatalf("read event: %v", err)
	}
	return string(b)
}

type matchCase struct {
	name    string
	pattern string
	event   string // literal text, or @file in testdata
	want    bool
}

var matchCases = []matchCase{
	// --- AWS docs: JSON examples (FilterAndPatternSyntax.md, "JSON Metric Filter Examples").
	{"docs eventType", `{ $.eventType = "UpdateTrail" }`, "@aws_docs_example", true},
	{"docs ip not in subnet", `{ $.sourceIPAddress != 123.123.* }`, "@aws_docs_example", true},
	{"docs ip in subnet", `{ $.sourceIPAddress = 111.111.* }`, "@aws_docs_example", true},
	{"docs arrayKey[0]", `{ $.arrayKey[0] = "value" }`, "@aws_docs_example", true},
	{"docs arrayKey[1]", `{ $.arrayKey[1] = "another value" }`, "@aws_docs_example", true},
	{"docs arrayKey out of range", `{ $.arrayKey[2] = "value" }`, "@aws_docs_example", false},
	{"docs objectList[1].id", `{ $.objectList[1].id = 2 }`, "@aws_docs_example", true},
	{"docs objectList[0].id", `{ $.objectList[0].id = 2 }`, "@aws_docs_example", false},
	{"docs IS NULL", `{ $.SomeObject IS NULL }`, "@aws_docs_example", true},
	{"docs IS NULL on string", `{ $.eventType IS NULL }`, "@aws_docs_example", false},
	{"docs IS NULL on absent", `{ $.Nope IS NULL }`, "@aws_docs_example", false},
	{"docs NOT EXISTS", `{ $.SomeOtherObject NOT EXISTS }`, "@aws_docs_example", true},
	{"docs NOT EXISTS on null", `{ $.SomeObject NOT EXISTS }`, "@aws_docs_example", false},
	{"docs IS TRUE", `{ $.ThisFlag IS TRUE }`, "@aws_docs_example", true},
	{"docs IS FALSE", `{ $.ThisFlag IS FALSE }`, "@aws_docs_example", false},
	{"docs object never equal", `{ $.objectList = "a" }`, "@aws_docs_example", false},
	{"docs object never unequal", `{ $.objectList != "a" }`, "@aws_docs_example", false},
	{"docs users array =", `{$.users = 1}`, `{"users": [1, 2, 3]}`, false},
	{"docs users array !=", `{$.users != 1}`, `{"users": [1, 2, 3]}`, false},
	{"docs wildcard suffix *Event", `{ $.e = *Event }`, `{"e":"PutEvent"}`, true},
	{"docs wildcard prefix Event*", `{ $.e = Event* }`, `{"e":"EventName"}`, true},
	{"docs middle star is literal", `{ $.e = Ev*ent }`, `{"e":"Event"}`, false},
	{"docs middle star literal match", `{ $.e = Ev*ent }`, `{"e":"Ev*ent"}`, true},
	// --- AWS docs: compound conditions.
	{"docs compound 1", `{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }`, "@aws_docs_compound", true},
	{"docs compound 2", `{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }`, "@aws_docs_compound", false},
	{"docs compound 3 precedence", `{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }`, "@aws_docs_compound", true},
	{"docs compound 4 parens", `{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch) && $.actions[2] = nomatch }`, "@aws_docs_compound", false},
	{"docs coordinates[1][2]", `{ $.coordinates[1][2] = 6 }`, "@aws_docs_compound", true},
	{"docs OR foo bar", `{$.foo = bar || $.foo = baz }`, `{"foo": "baz"}`, true},
	{"docs OR foo baz only", `{$.foo = baz }`, `{"foo": "bar"}`, false},
	// --- AWS docs: numeric comparisons.
	{"numeric >=", `{ $.latency >= 500 }`, `{"latency": 500}`, true},
	{"numeric > +1000", `{ $.latency > +1000 }`, `{"latency": 1000}`, false},
	{"numeric < 10e3", `{ $.numbers[0] < 10e3 }`, `{"numbers": [9999.5]}`, true},
	{"numeric < 10e-3", `{ $.numbers[0] < 10e-3 }`, `{"numbers": [0.01]}`, false},
	{"numeric <= 55.5", `{ $.processes[4].averageRuntime <= 55.5 }`, `{"processes":[{},{},{},{},{"averageRuntime":55.5}]}`, true},
	{"numeric = 400", `{ $.errorCode = 400 }`, `{"errorCode": 400}`, true},
	{"numeric != 500", `{ $.errorCode != 500 }`, `{"errorCode": 400}`, true},
	{"numeric on numeric string", `{ $.code >= 400 }`, `{"code": "404"}`, true},
	{"numeric order on text", `{ $.code > 1 }`, `{"code": "high"}`, false},
	{"numeric 1e3 = 1000", `{ $.n = 1e3 }`, `{"n": 1000.0}`, true},
	{"docs latency any", `{ $.latency = * }`, `{"latency": 50, "requestType": "GET"}`, true},
	{"case sensitive", `{ $.eventName = disablekey }`, "@kms_disable_key", false},
	{"not JSON", `{ $.eventName = DisableKey }`, `DisableKey happened`, false},
	{"NOT EXISTS needs JSON", `{ $.x NOT EXISTS }`, `plain text`, false},
	// --- CIS patterns, verbatim, on CloudTrail events.
	{"CIS 3.5 StopLogging", cisCloudTrailChanges, "@cloudtrail_stop_logging", true},
	{"CIS 3.5 PutEventSelectors", cisCloudTrailChanges, "@cloudtrail_put_event_selectors", false},
	{"CIS 3.5 Decrypt", cisCloudTrailChanges, "@kms_decrypt_success", false},
	{"CIS 3.7 DisableKey", cisKMSDisableDelete, "@kms_disable_key", true},
	{"CIS 3.7 ScheduleKeyDeletion", cisKMSDisableDelete, "@kms_schedule_key_deletion", true},
	{"CIS 3.7 brace-space variant", cisKMSDisableDelete2, "@kms_schedule_key_deletion", true},
	{"CIS 3.7 Decrypt", cisKMSDisableDelete, "@kms_decrypt_success", false},
	{"CIS 3.7 StopLogging", cisKMSDisableDelete, "@cloudtrail_stop_logging", false},
	{"CIS 3.1 AccessDenied", cisUnauthorized, "@kms_decrypt_access_denied", true},
	{"CIS 3.1 IncorrectKey", cisUnauthorized, "@kms_decrypt_incorrect_key", false},
	{"CIS 3.1 UnauthorizedOperation", cisUnauthorized, `{"errorCode":"Client.UnauthorizedOperation"}`, true},
	{"CIS 3.1 success", cisUnauthorized, "@kms_decrypt_success", false},
	{"CIS 3.3 root", cisRoot, "@root_create_key", true},
	{"CIS 3.3 root via service", cisRoot, `{"userIdentity":{"type":"Root","invokedBy":"cloudtrail.amazonaws.com"},"eventType":"AwsApiCall"}`, false},
	{"CIS 3.3 not root", cisRoot, "@kms_disable_key", false},
	{"CIS 3.6 console failure", cisConsoleFailures, "@console_login_failure", true},
	{"CIS 3.6 other event", cisConsoleFailures, "@kms_disable_key", false},
	{"CIS 3.9 config", cisConfigChanges, `{"eventSource":"config.amazonaws.com","eventName":"StopConfigurationRecorder"}`, true},
	{"CIS 3.9 not config", cisConfigChanges, "@kms_disable_key", false},
	// --- The lab pattern and errorsOnly.
	{"lab IncorrectKeyException", labPattern, "@kms_decrypt_incorrect_key", true},
	{"lab AccessDenied", labPattern, "@kms_decrypt_access_denied", true},
	{"lab success has no errorCode", labPattern, "@kms_decrypt_success", false},
	{"lab other principal", labPattern, "@kms_disable_key", false},
	{"lab other issuer", labPattern, strings.Replace(mustRead("kms_decrypt_incorrect_key"), `"arn":"arn:aws:iam::111122223333:role/pattern1-app-Pattern1ECSTaskRole"`, `"arn":"arn:aws:iam::111122223333:role/Other"`, 1), false},
	{"errorsOnly", `{ ($.eventSource = "kms.amazonaws.com") && ($.errorCode = "*") }`, "@kms_decrypt_access_denied", true},
	{"errorCode != *", `{ $.errorCode != "*" }`, "@kms_decrypt_access_denied", false},
	{"readOnly IS FALSE", `{ $.eventSource = kms.amazonaws.com && $.readOnly IS FALSE }`, "@kms_disable_key", true},
	{"pendingWindowInDays numeric", `{ $.requestParameters.pendingWindowInDays < 30 }`, "@kms_schedule_key_deletion", true},
	{"exclusion selector array", `{ $.requestParameters.eventSelectors[0].excludeManagementEventSources[0] = "kms.amazonaws.com" }`, "@cloudtrail_put_event_selectors", true},
	{"responseElements null not equal", `{ $.responseElements != "x" }`, "@kms_disable_key", false},
	{"responseElements IS NULL", `{ $.responseElements IS NULL }`, "@kms_disable_key", true},
	{"arn unquoted", `{ $.userIdentity.arn = arn:aws:iam::111122223333:user/alice }`, "@kms_disable_key", true},
	{"escaped quote", `{ $.m = "say \"hi\"" }`, `{"m":"say \"hi\""}`, true},
	// --- Regex (regex-expressions.html).
	{"regex JSON value", `{ $.errorCode = %Exception$% }`, "@kms_decrypt_incorrect_key", true},
	{"regex JSON !=", `{ $.errorCode != %Exception$% }`, "@kms_decrypt_access_denied", true},
	{"regex alternation", `{ $.eventName = %^Disable|^Schedule% }`, "@kms_schedule_key_deletion", true},
	{"regex term AUTHORIZED", `%AUTHORIZED%`, `[ERROR 401] UNAUTHORIZED REQUEST`, true},
	{"regex term IP", `%\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}%`, `from 10.0.12.34 port 443`, true},
	{"regex term class", `%[Ee]rror|[Ff]ail%`, `request aborted`, false},
	{"regex term class 2", `%[Ee]rror|[Ff]ail%`, `request Failed`, true},
	{"regex anchor", `%^[hc]at%`, `that cat`, false},
	// --- Terms (FilterAndPatternSyntax.md, "Matching Terms in Log Events").
	{"term ERROR", `ERROR`, `[ERROR] A fatal exception has occurred`, true},
	{"term inside word", `ERROR`, `Exiting with ERRORCODE: -1`, true},
	{"term exclusion docs form", `"ERROR" - "Exiting"`, `Exiting with ERRORCODE: -1`, false},
	{"term exclusion keeps others", `"ERROR" - "Exiting"`, `[ERROR] A fatal exception has occurred`, true},
	{"terms AND", `ERROR Exception`, `[ERROR] Caught IllegalArgumentException`, true},
	{"terms AND missing", `ERROR Exception`, `[ERROR] A fatal exception has occurred`, false},
	{"phrase as terms", `Failed to process the request`, `[WARN] Failed to process the request`, true},
	{"quoted phrase", `"Failed to process"`, `Failed   to process`, false},
	{"OR 1", `?ERROR ?WARN`, `WARN message`, true},
	{"OR none", `?ERROR ?WARN`, `INFO message`, false},
	{"AND both", `ERROR WARN`, `ERROR message`, false},
	{"ERROR -WARN", `ERROR -WARN`, `ERROR message`, true},
	{"ERROR -WARN excluded", `ERROR -WARN`, `ERROR WARN message`, false},
	{"term case", `error`, `ERROR message`, false},
	{"anyTermGroup", `?"ERROR" "MainThread" ?"WARN" "Deadlock"`, `WARN Deadlock detected`, true},
	{"anyTermGroup partial", `?"ERROR" "MainThread" ?"WARN" "Deadlock"`, `ERROR in worker`, false},
	{"term on JSON raw text", `AccessDenied`, "@kms_decrypt_access_denied", true},
	{"empty matches all", ``, `anything`, true},
	{"spaces match all", `   `, ``, true},
	// --- Space-delimited (FilterAndPatternSyntax.md, "Space-Delimited Log Events").
	{"space 7 fields", `[ip, user, username, timestamp, request, status_code, bytes]`, apache200, true},
	{"space wrong count", `[ip, user, username, timestamp, request, status_code]`, apache200, false},
	{"space ellipsis tail", `[..., status_code, bytes]`, apache200, true},
	{"space ellipsis middle", `[ip, user, ..., status_code, bytes]`, apache200, true},
	{"space ellipsis head", `[ip, user, ...]`, apache200, true},
	{"space bytes > 1000", `[ip, user, username, timestamp, request, status_code, bytes > 1000]`, apache200, true},
	{"space bytes > 2000", `[ip, user, username, timestamp, request, status_code, bytes > 2000]`, apache200, false},
	{"space status = 200", `[ip, user, username, timestamp, request, status_code = 200, bytes]`, apache500, false},
	{"space status = 4*", `[ip, user, username, timestamp, request, status_code = 4*, bytes]`, apache404, true},
	{"space request *html*", `[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes]`, apache404, true},
	{"space request *html* no", `[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes]`, apache200, false},
	{"space && same field", `[ip, user, username, timestamp, request, status_code = 4* && status_code != 403, bytes]`, apache404, true},
	{"space && excludes 404", `[ip, user, username, timestamp, request, status_code = 4* && status_code != 404, bytes]`, apache404, false},
	{"space || within field", `[w1=ERROR || w1=WARN, w2]`, `WARN message`, true},
	{"space || none", `[w1=ERROR || w1=WARN, w2]`, `INFO message`, false},
	{"space w1=ERROR", `[w1=ERROR, w2]`, `ERROR WARN message`, false},
	{"space regex", `[ip, ..., status_code = %^5%, bytes]`, apache500, true},
	{"space docs trailing comma", `[..., request=*.html*, status_code=4*,]`, apache404, true},
}

func mustRead(name string) string {
	b, err := os.ReadFile(filepath.Join("testdata", name+".json"))
	if err != nil {
		panic(err)
	}
	return string(b)
}

func TestMatch(t *testing.T) {
	n := 0
	for _, tc := range matchCases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse(tc.pattern)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.pattern, err)
			}
			n++
			if got := p.Match(event(t, tc.event)); got != tc.want {
				t.Errorf("Parse(%q).Match(%.80q) = %v, want %v (canonical %s)", tc.pattern, tc.event, got, tc.want, p)
			}
		})
	}
	if n < 60 {
		t.Errorf("only %d match cases ran, want at least 60", n)
	}
}
