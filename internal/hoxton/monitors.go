package hoxton

import (
	"time"
)

// PeopleCountMonitor counts bi-directional traffic across a line (schema
// PeopleCountMonitor). DailyResetMin is the minute of day (0-1440) the count resets; nil
// leaves the service default (0). DeletedAt is output only.
type PeopleCountMonitor struct {
	ID                 string     `json:"id,omitempty"`
	SiteID             string     `json:"siteId"`
	Name               string     `json:"name,omitempty"`
	Direction1Alias    string     `json:"direction1Alias,omitempty"`
	Direction2Alias    string     `json:"direction2Alias,omitempty"`
	DailyResetMin      *int       `json:"dailyResetMin,omitempty"`
	ReportingStartDate *Date      `json:"reportingStartDate,omitempty"`
	ReportingEndDate   *Date      `json:"reportingEndDate,omitempty"`
	State              State      `json:"state,omitempty"`
	DeletedAt          *time.Time `json:"deletedAt,omitempty"`
}

// OccupancyMonitor keeps an in-minus-out count for a space (schema OccupancyMonitor,
// itself x-inferred). DeletedAt is output only.
type OccupancyMonitor struct {
	ID                 string     `json:"id,omitempty"`
	SiteID             string     `json:"siteId"`
	Name               string     `json:"name,omitempty"`
	DailyResetMin      *int       `json:"dailyResetMin,omitempty"`
	ReportingStartDate *Date      `json:"reportingStartDate,omitempty"`
	ReportingEndDate   *Date      `json:"reportingEndDate,omitempty"`
	State              State      `json:"state,omitempty"`
	DeletedAt          *time.Time `json:"deletedAt,omitempty"`
}

// PeelOffMonitor is a peel-off monitor of a site (schema PeelOffMonitor). DeletedAt is
// output only.
type PeelOffMonitor struct {
	ID                 string     `json:"id,omitempty"`
	SiteID             string     `json:"siteId"`
	Name               string     `json:"name,omitempty"`
	ReportingStartDate *Date      `json:"reportingStartDate,omitempty"`
	ReportingEndDate   *Date      `json:"reportingEndDate,omitempty"`
	State              State      `json:"state,omitempty"`
	DeletedAt          *time.Time `json:"deletedAt,omitempty"`
}

// The monitor collections, listed by organisation (and site).
var (
	PeopleCountMonitors = NewCollection[PeopleCountMonitor]("people-count-monitors", ListedByOrganisation)
	// Inferred (x-inferred in openapi.yaml): every occupancy monitor operation is a guess
	// by analogy with the other monitors.
	OccupancyMonitors = NewCollection[OccupancyMonitor]("occupancy-monitors", ListedByOrganisation)
	PeelOffMonitors   = NewCollection[PeelOffMonitor]("peel-off-monitors", ListedByOrganisation)
)
