package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
)

// reportCompleted is the status of a report whose data is ready.
const reportCompleted = "completed"

// reportFailed tells whether a report will never complete. The contract only
// shows "completed"; an error message or a status named like a failure ends
// the wait rather than polling until the timeout.
func reportFailed(rep *hoxton.DwellTimeReport) bool {
	switch rep.Status {
	case "failed", "error", "cancelled":
		return true
	}
	return rep.ErrorMessage != "" && rep.Status != reportCompleted
}

// waitForReport polls the report until it is completed, drawing one progress
// line on stderr when that is a terminal (and nothing otherwise, so logs and
// pipes stay clean).
func waitForReport(ctx context.Context, r *Root, c *hoxton.Client, rep *hoxton.DwellTimeReport, every, timeout time.Duration) (*hoxton.DwellTimeReport, error) {
	progress := io.Discard
	if r.Env.IsTerminal(r.Env.ErrOut) {
		progress = r.Env.ErrOut
	}
	start := time.Now()
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	drawn := false
	for {
		if rep.Status == reportCompleted {
			if drawn {
				fmt.Fprintf(progress, "\r\033[Kreport %s completed after %s\n", rep.DwellTimeReportID, time.Since(start).Round(time.Second))
			}
			return rep, nil
		}
		if reportFailed(rep) {
			return nil, fmt.Errorf("report %s %s: %s", rep.DwellTimeReportID, or(rep.Status, "failed"), rep.ErrorMessage)
		}
		if rep.DwellTimeReportID == "" {
			return nil, errors.New("the API answered the report request without a report id")
		}
		fmt.Fprintf(progress, "\r\033[Kwaiting for report %s: %s (%s)", rep.DwellTimeReportID, or(rep.Status, "pending"), time.Since(start).Round(time.Second))
		drawn = true
		select {
		case <-ctx.Done():
			if drawn {
				fmt.Fprintln(progress)
			}
			if parent.Err() != nil {
				return nil, parent.Err() // interrupted
			}
			return nil, fmt.Errorf("report %s not completed after %s (status %q)", rep.DwellTimeReportID, timeout, rep.Status)
		case <-ticker.C:
		}
		next, err := c.GetDwellTimeReport(ctx, rep.DwellTimeReportID)
		if err != nil && ctx.Err() != nil && parent.Err() == nil {
			fmt.Fprintln(progress)
			return nil, fmt.Errorf("report %s not completed after %s (status %q)", rep.DwellTimeReportID, timeout, rep.Status)
		}
		if err != nil {
			return nil, fmt.Errorf("reading report %s: %w", rep.DwellTimeReportID, err)
		}
		rep = next
	}
}
