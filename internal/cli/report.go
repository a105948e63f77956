package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
)

func newReportCommand(r *Root) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Request and print the reports HoxtonAi computes",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cmd.SetOut(cmd.ErrOrStderr())
			_ = cmd.Usage()
			return errors.New("name a report, e.g. dwell-time")
		},
	}
	cmd.AddCommand(newDwellTimeCommand(r))
	return cmd
}

// dwellTimeOptions are the flags of `report dwell-time`.
type dwellTimeOptions struct {
	api          apiFlags
	from, to     string
	monitors     []string
	output       string
	pollInterval time.Duration
	timeout      time.Duration
}

func newDwellTimeCommand(r *Root) *cobra.Command {
	o := &dwellTimeOptions{}
	cmd := &cobra.Command{
		Use:   "dwell-time --from YYYY-MM-DD --to YYYY-MM-DD [--monitor ID]...",
		Short: "Request a dwell-time report, wait for it and print it",
		Long: `dwell-time requests a dwell-time report for the days from --from up to, but
NOT including, --to: the end date is exclusive, as in the HoxtonAi API, so
--from 2026-03-01 --to 2026-04-01 covers March. Without --monitor the report
covers every monitor of the organisation; --monitor takes the id of a
people-count or an occupancy monitor and may be repeated.

It waits until HoxtonAi has computed the report, showing progress on stderr
when that is a terminal, and prints it as a table (default), csv or json.
The row columns are those HoxtonAi returns.
` + apiHelp,
		Example: `  hoxtonctl report dwell-time --connection hoxton --from 2026-03-01 --to 2026-04-01 -o csv`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDwellTime(cmd.Context(), r, o)
		},
	}
	f := cmd.Flags()
	o.api.add(f)
	f.StringVar(&o.from, "from", "", "first day of the report, YYYY-MM-DD (included)")
	f.StringVar(&o.to, "to", "", "day after the last day of the report, YYYY-MM-DD (exclusive: not included)")
	f.StringArrayVar(&o.monitors, "monitor", nil, "people-count or occupancy monitor id (repeatable; default all)")
	addOutputFlag(f, &o.output, outputTable, reportFormats)
	f.DurationVar(&o.pollInterval, "poll-interval", 2*time.Second, "how often to ask whether the report is ready")
	f.DurationVar(&o.timeout, "timeout", 10*time.Minute, "how long to wait for the report")
	return cmd
}

func (o *dwellTimeOptions) validate() error {
	if o.from == "" || o.to == "" {
		return errors.New("--from and --to are required")
	}
	from, err := hoxton.Date(o.from).Time()
	if err != nil {
		return fmt.Errorf("--from %q: want YYYY-MM-DD", o.from)
	}
	to, err := hoxton.Date(o.to).Time()
	if err != nil {
		return fmt.Errorf("--to %q: want YYYY-MM-DD", o.to)
	}
	if !to.After(from) {
		return errors.New("--to must be after --from: the end date is exclusive, so --to " + o.to + " covers nothing")
	}
	if err := checkOutput(o.output, reportFormats); err != nil {
		return err
	}
	if o.pollInterval <= 0 {
		return errors.New("--poll-interval must be positive")
	}
	return nil
}

func runDwellTime(ctx context.Context, r *Root, o *dwellTimeOptions) error {
	if err := o.validate(); err != nil {
		return err
	}
	t, err := o.api.resolve(ctx, r)
	if err != nil {
		return err
	}
	c, _, err := r.apiClient(ctx, t)
	if err != nil {
		return err
	}
	req := hoxton.DwellTimeReportRequest{StartDate: hoxton.Date(o.from), EndDate: hoxton.Date(o.to)}
	for _, id := range o.monitors {
		kind, err := monitorKind(ctx, c, id)
		if err != nil {
			return err
		}
		if kind == kindOccupancy {
			req.OccupancyMonitorIDs = append(req.OccupancyMonitorIDs, id)
		} else {
			req.PeopleCountMonitorIDs = append(req.PeopleCountMonitorIDs, id)
		}
	}
	report, err := c.CreateDwellTimeReport(ctx, req)
	if err != nil {
		return fmt.Errorf("requesting the report: %w", err)
	}
	report, err = waitForReport(ctx, r, c, report, o.pollInterval, o.timeout)
	if err != nil {
		return err
	}
	return printReport(r.Env.Out, r.Env.ErrOut, o.output, report)
}

type monitorKindName int

const (
	kindPeopleCount monitorKindName = iota
	kindOccupancy
)

// monitorKind finds out whether id is a people-count or an occupancy monitor:
// the report request lists them separately.
func monitorKind(ctx context.Context, c *hoxton.Client, id string) (monitorKindName, error) {
	_, err := hoxton.PeopleCountMonitors.Get(ctx, c, id)
	if err == nil {
		return kindPeopleCount, nil
	}
	if !hoxton.IsNotFound(err) && !hoxton.IsGone(err) {
		return 0, fmt.Errorf("monitor %s: %w", id, err)
	}
	if _, err := hoxton.OccupancyMonitors.Get(ctx, c, id); err != nil {
		if hoxton.IsNotFound(err) || hoxton.IsGone(err) {
			return 0, fmt.Errorf("monitor %s: no people-count or occupancy monitor has this id", id)
		}
		return 0, fmt.Errorf("monitor %s: %w", id, err)
	}
	return kindOccupancy, nil
}
