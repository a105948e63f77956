package hoxton

import (
	"context"
	"encoding/json"
	"net/http"
)

// DwellTimeReportRequest asks for dwell-time data (schema DwellTimeReportRequest). The
// range covers StartDate up to, not including, EndDate.
type DwellTimeReportRequest struct {
	OrganisationID        string   `json:"organisationId"`
	StartDate             Date     `json:"startDate"`
	EndDate               Date     `json:"endDate"`
	OccupancyMonitorIDs   []string `json:"occupancyMonitorIds,omitempty"`
	PeopleCountMonitorIDs []string `json:"peopleCountMonitorIds,omitempty"`
}

// DwellTimeReport is a dwell-time report (schema DwellTimeReport). Status is "completed"
// when ReportData holds the results; CreatedAt is a plain string in the contract.
type DwellTimeReport struct {
	DwellTimeReportID     string            `json:"dwellTimeReportId,omitempty"`
	OrganisationID        string            `json:"organisationId,omitempty"`
	StartDate             Date              `json:"startDate,omitempty"`
	EndDate               Date              `json:"endDate,omitempty"`
	OccupancyMonitorIDs   []string          `json:"occupancyMonitorIds,omitempty"`
	PeopleCountMonitorIDs []string          `json:"peopleCountMonitorIds,omitempty"`
	CreatedAt             string            `json:"createdAt,omitempty"`
	Status                string            `json:"status,omitempty"`
	ErrorMessage          string            `json:"errorMessage,omitempty"`
	ReportData            []json.RawMessage `json:"reportData,omitempty"`
}

var dwellTimeReports = newEndpoint[DwellTimeReport]("dwell-time-reports").identifiedBy("dwellTimeReportId")

// CreateDwellTimeReport requests a dwell-time report (POST /dwell-time-reports, which
// answers 200; 413 when the report would be too large). An empty OrganisationID is
// filled with the client's.
func (c *Client) CreateDwellTimeReport(ctx context.Context, req DwellTimeReportRequest) (*DwellTimeReport, error) {
	req.OrganisationID = c.orgOr(req.OrganisationID)
	var out DwellTimeReport
	path := dwellTimeReports.path
	if _, err := c.do(ctx, http.MethodPost, dwellTimeReports.resource, path, nil, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetDwellTimeReport fetches a report by id.
func (c *Client) GetDwellTimeReport(ctx context.Context, id string) (*DwellTimeReport, error) {
	// Inferred (x-inferred-responses in openapi.yaml): the responses of this GET were not
	// seen.
	return dwellTimeReports.get(ctx, c, id)
}
