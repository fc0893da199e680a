package lease

import "github.com/prometheus/client_golang/prometheus"

// Collector returns the lease's Prometheus series, for the daemon to register:
//
//	kmswatch_leader                   1 while this process holds the lease (Check passes), else 0
//	kmswatch_lease_transitions_total  times this process has seen the lease pass to another holder
func (e *Elector) Collector() prometheus.Collector {
	return &collector{
		e: e,
		leader: prometheus.NewDesc("kmswatch_leader",
			"1 while this kmswatch holds the lease and may write, 0 while it stands by.", nil, nil),
		transitions: prometheus.NewDesc("kmswatch_lease_transitions_total",
			"Times this kmswatch has seen the lease pass from one holder to another.", nil, nil),
	}
}

type collector struct {
	e                   *Elector
	leader, transitions *prometheus.Desc
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.leader
	ch <- c.transitions
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	leader := 0.0
	if c.e.Check() == nil {
		leader = 1
	}
	c.e.mu.Lock()
	n := c.e.st.handovers
	c.e.mu.Unlock()
	ch <- prometheus.MustNewConstMetric(c.leader, prometheus.GaugeValue, leader)
	ch <- prometheus.MustNewConstMetric(c.transitions, prometheus.CounterValue, float64(n))
}
