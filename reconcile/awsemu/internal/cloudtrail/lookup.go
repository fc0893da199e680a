package cloudtrail

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/core"
	"github.com/kmswatch/kmswatch/reconcile/awsemu/internal/wire"
)

// LookupEvents reads the region's event history (90 days of management events, whatever the
// trails), newest first, 50 per page at most.

type lookupAttribute struct {
	Key   string `json:"AttributeKey"`
	Value string `json:"AttributeValue"`
}

type lookupEventOut struct {
	EventID         string           `json:"EventId"`
	EventName       string           `json:"EventName"`
	ReadOnly        string           `json:"ReadOnly"`
	AccessKeyID     string           `json:"AccessKeyId,omitempty"`
	EventTime       time.Time        `json:"EventTime"`
	EventSource     string           `json:"EventSource"`
	Username        string           `json:"Username,omitempty"`
	Resources       []map[string]any `json:"Resources"`
	CloudTrailEvent string           `json:"CloudTrailEvent"`
}

var lookupKeys = map[string]bool{
	"EventId": true, "EventName": true, "ReadOnly": true, "Username": true, "ResourceType": true,
	"ResourceName": true, "EventSource": true, "AccessKeyId": true,
}

func (s *cloudTrailService) lookupEvents(c *core.Call) (any, error) {
	var in struct {
		Attributes []lookupAttribute `json:"LookupAttributes"`
		StartTime  *time.Time        `json:"StartTime"`
		EndTime    *time.Time        `json:"EndTime"`
		Category   string            `json:"EventCategory"`
		MaxResults *int32            `json:"MaxResults"`
		NextToken  *string           `json:"NextToken"`
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	limit := 50
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > 50 {
			return nil, wire.Errorf("InvalidMaxResultsException", "MaxResults must be between 1 and 50.")
		}
		limit = int(*in.MaxResults)
	}
	if in.StartTime != nil && in.EndTime != nil && in.StartTime.After(*in.EndTime) {
		return nil, wire.Errorf("InvalidTimeRangeException", "StartTime must be before EndTime.")
	}
	if in.Category != "" && in.Category != "insight" {
		return nil, wire.Errorf("InvalidEventCategoryException", "EventCategory must be insight.")
	}
	if len(in.Attributes) > 1 {
		return nil, wire.Errorf("InvalidLookupAttributesException", "You can specify at most one lookup attribute.")
	}
	for _, a := range in.Attributes {
		if !lookupKeys[a.Key] {
			return nil, wire.Errorf("InvalidLookupAttributesException", "Invalid AttributeKey "+a.Key+".")
		}
	}
	var out struct {
		Events    []lookupEventOut `json:"Events"`
		NextToken string           `json:"NextToken,omitempty"`
	}
	out.Events = []lookupEventOut{}
	// Insight events are never generated here, so an insight lookup is always empty.
	if in.Category == "insight" {
		return out, nil
	}
	h := s.history[c.Region]
	start := len(h) - 1
	if in.NextToken != nil {
		after, ok := core.ReadPageToken("cloudtrail:LookupEvents:"+c.Region, *in.NextToken)
		if !ok {
			return nil, wire.Errorf("InvalidNextTokenException", "Invalid NextToken.")
		}
		start = -1
		for i := len(h) - 1; i >= 0; i-- {
			if h[i].Record["eventID"] == after {
				start = i - 1
				break
			}
		}
	}
	for i := start; i >= 0; i-- {
		ev := lookupOut(h[i])
		if (in.StartTime != nil && ev.EventTime.Before(*in.StartTime)) || (in.EndTime != nil && ev.EventTime.After(*in.EndTime)) {
			continue
		}
		if len(in.Attributes) == 1 && !ev.has(in.Attributes[0]) {
			continue
		}
		if len(out.Events) == limit {
			out.NextToken = core.PageToken("cloudtrail:LookupEvents:"+c.Region, out.Events[limit-1].EventID)
			break
		}
		out.Events = append(out.Events, ev)
	}
	return out, nil
}

func lookupOut(rec core.AuditRecord) lookupEventOut {
	body, _ := json.Marshal(rec.Record)
	id, _ := rec.Record["userIdentity"].(map[string]any)
	ev := lookupEventOut{
		EventName: rec.Name, ReadOnly: strconv.FormatBool(rec.ReadOnly), EventTime: rec.Time,
		EventSource: rec.Source, Resources: []map[string]any{}, CloudTrailEvent: string(body),
	}
	ev.EventID, _ = rec.Record["eventID"].(string)
	ev.AccessKeyID, _ = id["accessKeyId"].(string)
	// Username is the IAM user's name, or the session name of an assumed role.
	if u, ok := id["userName"].(string); ok {
		ev.Username = u
	} else if arn, ok := id["arn"].(string); ok {
		ev.Username = arn[strings.LastIndex(arn, "/")+1:]
	}
	return ev
}

func (ev lookupEventOut) has(a lookupAttribute) bool {
	switch a.Key {
	case "EventId":
		return ev.EventID == a.Value
	case "EventName":
		return ev.EventName == a.Value
	case "ReadOnly":
		return ev.ReadOnly == a.Value
	case "Username":
		return ev.Username == a.Value
	case "EventSource":
		return ev.EventSource == a.Value
	case "AccessKeyId":
		return ev.AccessKeyID == a.Value
	}
	// The emulator's records name no resources.
	return false
}
