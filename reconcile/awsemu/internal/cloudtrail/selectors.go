package cloudtrail

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/core"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/wire"
)

// Event selectors decide which records a trail logs. A record is logged if any selector
// includes it. Basic selectors include management events when IncludeManagementEvents is true
// (the default), the record's read/write kind is allowed by ReadWriteType (ReadOnly, WriteOnly,
// All) and its source is not in ExcludeManagementEventSources. Advanced selectors include it when
// every field condition holds. A trail never given selectors logs all management events.

type eventSelector struct {
	ReadWriteType                 string         `json:"ReadWriteType"`
	IncludeManagementEvents       *bool          `json:"IncludeManagementEvents"`
	DataResources                 []dataResource `json:"DataResources"`
	ExcludeManagementEventSources []string       `json:"ExcludeManagementEventSources"`
}

type dataResource struct {
	Type   string   `json:"Type"`
	Values []string `json:"Values"`
}

type advancedSelector struct {
	Name           string          `json:"Name,omitempty"`
	FieldSelectors []fieldSelector `json:"FieldSelectors"`
}

type fieldSelector struct {
	Field         string   `json:"Field"`
	Equals        []string `json:"Equals,omitempty"`
	StartsWith    []string `json:"StartsWith,omitempty"`
	EndsWith      []string `json:"EndsWith,omitempty"`
	NotEquals     []string `json:"NotEquals,omitempty"`
	NotStartsWith []string `json:"NotStartsWith,omitempty"`
	NotEndsWith   []string `json:"NotEndsWith,omitempty"`
}

const (
	maxEventSelectors     = 5
	maxDataResources      = 250
	maxAdvancedConditions = 500
)

var (
	excludableSources = map[string]bool{"kms.amazonaws.com": true, "rdsdata.amazonaws.com": true}
	dataResourceTypes = map[string]bool{"AWS::S3::Object": true, "AWS::Lambda::Function": true, "AWS::DynamoDB::Table": true}
	advancedFields    = map[string]bool{
		"eventCategory": true, "eventSource": true, "eventName": true, "readOnly": true, "eventType": true,
		"resources.type": true, "resources.ARN": true, "errorCode": true, "userIdentity.arn": true,
		"sessionCredentialFromConsole": true, "vpcEndpointId": true,
	}
	eventCategories = map[string]bool{"Management": true, "Data": true, "NetworkActivity": true, "Insight": true}
)

func invalidSelectors(format string, args ...any) *wire.APIError {
	return wire.Errorf("InvalidEventSelectorsException", fmt.Sprintf(format, args...))
}

// normalize fills a basic selector's defaults, as GetEventSelectors reports them.
func (sel *eventSelector) normalize() error {
	switch sel.ReadWriteType {
	case "":
		sel.ReadWriteType = "All"
	case "All", "ReadOnly", "WriteOnly":
	default:
		return invalidSelectors("Value %s for ReadWriteType is invalid: use ReadOnly, WriteOnly or All.", sel.ReadWriteType)
	}
	if sel.IncludeManagementEvents == nil {
		t := true
		sel.IncludeManagementEvents = &t
	}
	if sel.DataResources == nil {
		sel.DataResources = []dataResource{}
	}
	if sel.ExcludeManagementEventSources == nil {
		sel.ExcludeManagementEventSources = []string{}
	}
	for _, src := range sel.ExcludeManagementEventSources {
		if !excludableSources[src] {
			return invalidSelectors("Value %s for ExcludeManagementEventSources is invalid: only kms.amazonaws.com and rdsdata.amazonaws.com can be excluded.", src)
		}
	}
	return nil
}

func validBasicSelectors(sels []eventSelector) error {
	if len(sels) < 1 || len(sels) > maxEventSelectors {
		return invalidSelectors("A trail can have 1 to %d event selectors; got %d.", maxEventSelectors, len(sels))
	}
	resources := 0
	for i := range sels {
		if err := sels[i].normalize(); err != nil {
			return err
		}
		for _, dr := range sels[i].DataResources {
			if !dataResourceTypes[dr.Type] {
				return invalidSelectors("Value %s for DataResources.Type is invalid.", dr.Type)
			}
			resources += len(dr.Values)
		}
	}
	if resources > maxDataResources {
		return invalidSelectors("A trail can have at most %d data resources; got %d.", maxDataResources, resources)
	}
	return nil
}

func validAdvancedSelectors(sels []advancedSelector) error {
	if len(sels) < 1 {
		return invalidSelectors("Specify at least one advanced event selector.")
	}
	values := 0
	for i, sel := range sels {
		if len(sel.Name) > 1000 {
			return invalidSelectors("Advanced event selector name must be at most 1000 characters.")
		}
		if len(sel.FieldSelectors) < 1 {
			return invalidSelectors("Advanced event selector %d has no field selectors.", i+1)
		}
		category := ""
		for _, fs := range sel.FieldSelectors {
			if !advancedFields[fs.Field] {
				return invalidSelectors("Field %s is not valid in an advanced event selector.", fs.Field)
			}
			ops := [][]string{fs.Equals, fs.StartsWith, fs.EndsWith, fs.NotEquals, fs.NotStartsWith, fs.NotEndsWith}
			n := 0
			for _, op := range ops {
				for _, v := range op {
					if v == "" || len(v) > 2048 {
						return invalidSelectors("Condition values for field %s must be 1 to 2048 characters long.", fs.Field)
					}
				}
				n += len(op)
			}
			if n == 0 {
				return invalidSelectors("Field selector %s has no condition.", fs.Field)
			}
			values += n
			switch fs.Field {
			case "eventCategory":
				if len(fs.Equals) != 1 || n != 1 || !eventCategories[fs.Equals[0]] {
					return invalidSelectors("eventCategory supports only the Equals operator with one of Management, Data, NetworkActivity.")
				}
				category = fs.Equals[0]
			case "readOnly":
				if len(fs.Equals) != 1 || n != 1 || (fs.Equals[0] != "true" && fs.Equals[0] != "false") {
					return invalidSelectors("readOnly supports only the Equals operator with true or false.")
				}
			}
		}
		if category == "" {
			return invalidSelectors("Advanced event selector %d must set eventCategory.", i+1)
		}
	}
	if values > maxAdvancedConditions {
		return invalidSelectors("A trail can have at most %d condition values in advanced event selectors; got %d.", maxAdvancedConditions, values)
	}
	return nil
}

// selects tells whether the trail's selectors include a record.
func (t *trail) selects(rec core.AuditRecord) bool {
	if t.advanced != nil {
		for _, sel := range t.advanced {
			if sel.matches(rec) {
				return true
			}
		}
		return false
	}
	if t.selectors == nil {
		return rec.Management
	}
	for _, sel := range t.selectors {
		if sel.matches(rec) {
			return true
		}
	}
	return false
}

func (sel eventSelector) matches(rec core.AuditRecord) bool {
	if !rec.Management || sel.IncludeManagementEvents == nil || !*sel.IncludeManagementEvents {
		return false
	}
	switch sel.ReadWriteType {
	case "ReadOnly":
		if !rec.ReadOnly {
			return false
		}
	case "WriteOnly":
		if rec.ReadOnly {
			return false
		}
	}
	for _, src := range sel.ExcludeManagementEventSources {
		if src == rec.Source {
			return false
		}
	}
	return true
}

func (sel advancedSelector) matches(rec core.AuditRecord) bool {
	for _, fs := range sel.FieldSelectors {
		v, ok := recordField(rec, fs.Field)
		if !ok || !fs.holds(v) {
			return false
		}
	}
	return true
}

// recordField reads an advanced-selector field from a record; ok is false for fields a
// management event does not have (resources.type on an API call without resources, …).
func recordField(rec core.AuditRecord, field string) (string, bool) {
	switch field {
	case "eventCategory":
		if rec.Management {
			return "Management", true
		}
		return "Data", true
	case "eventSource":
		return rec.Source, true
	case "eventName":
		return rec.Name, true
	case "readOnly":
		return strconv.FormatBool(rec.ReadOnly), true
	}
	switch field {
	case "eventType":
		s, ok := rec.Record[field].(string)
		return s, ok
	case "errorCode", "vpcEndpointId":
		// Absent means empty: NotEquals conditions hold, Equals ones do not.
		s, _ := rec.Record[field].(string)
		return s, true
	case "userIdentity.arn":
		id, _ := rec.Record["userIdentity"].(map[string]any)
		s, ok := id["arn"].(string)
		return s, ok
	}
	return "", false
}

func (fs fieldSelector) holds(v string) bool {
	anyOf := func(list []string, f func(string) bool) bool {
		for _, x := range list {
			if f(x) {
				return true
			}
		}
		return false
	}
	eq := func(x string) bool { return v == x }
	pre := func(x string) bool { return strings.HasPrefix(v, x) }
	suf := func(x string) bool { return strings.HasSuffix(v, x) }
	switch {
	case len(fs.Equals) > 0 && !anyOf(fs.Equals, eq),
		len(fs.StartsWith) > 0 && !anyOf(fs.StartsWith, pre),
		len(fs.EndsWith) > 0 && !anyOf(fs.EndsWith, suf),
		anyOf(fs.NotEquals, eq), anyOf(fs.NotStartsWith, pre), anyOf(fs.NotEndsWith, suf):
		return false
	}
	return true
}

type selectorsOut struct {
	TrailARN               string             `json:"TrailARN"`
	EventSelectors         []eventSelector    `json:"EventSelectors,omitempty"`
	AdvancedEventSelectors []advancedSelector `json:"AdvancedEventSelectors,omitempty"`
}

func (s *cloudTrailService) putEventSelectors(c *core.Call) (any, error) {
	var in struct {
		TrailName string             `json:"TrailName"`
		Basic     []eventSelector    `json:"EventSelectors"`
		Advanced  []advancedSelector `json:"AdvancedEventSelectors"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	t, err := s.findHome(c, in.TrailName)
	if err != nil {
		return nil, err
	}
	switch {
	case in.Basic != nil && in.Advanced != nil:
		return nil, invalidSelectors("Use either EventSelectors or AdvancedEventSelectors, not both.")
	case in.Basic == nil && in.Advanced == nil:
		return nil, invalidSelectors("Specify EventSelectors or AdvancedEventSelectors.")
	case in.Basic != nil:
		if err := validBasicSelectors(in.Basic); err != nil {
			return nil, err
		}
		// A full replace: basic selectors clear advanced ones and the other way round.
		t.selectors, t.advanced = in.Basic, nil
	default:
		if err := validAdvancedSelectors(in.Advanced); err != nil {
			return nil, err
		}
		t.selectors, t.advanced = nil, in.Advanced
	}
	return selectorsOut{TrailARN: t.arn, EventSelectors: t.selectors, AdvancedEventSelectors: t.advanced}, nil
}

func (s *cloudTrailService) getEventSelectors(c *core.Call) (any, error) {
	var in struct {
		TrailName string `json:"TrailName"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	t, err := s.find(c, in.TrailName)
	if err != nil {
		return nil, err
	}
	out := selectorsOut{TrailARN: t.arn, EventSelectors: t.selectors, AdvancedEventSelectors: t.advanced}
	if t.selectors == nil && t.advanced == nil {
		def := eventSelector{}
		_ = def.normalize()
		out.EventSelectors = []eventSelector{def}
	}
	return out, nil
}
