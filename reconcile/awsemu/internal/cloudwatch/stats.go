package cloudwatch

import (
	"math"
	"regexp"
	"sort"
	"strconv"
)

// cwAgg is the aggregate of the points in one period.
type cwAgg struct {
	sum, count, min, max float64
	values, counts       []float64 // raw values, for percentiles
}

// aggregate folds points into one aggregate, keeping only those of unit when unit is set (an
// alarm or query with a Unit sees only datapoints published with that unit).
func aggregate(points []cwPoint, unit string) (cwAgg, bool) {
	g := cwAgg{min: math.Inf(1), max: math.Inf(-1)}
	any := false
	for _, p := range points {
		if unit != "" && p.unit != unit {
			continue
		}
		any = true
		g.sum += p.sum
		g.count += p.count
		g.min, g.max = math.Min(g.min, p.min), math.Max(g.max, p.max)
		g.values = append(g.values, p.values...)
		g.counts = append(g.counts, p.counts...)
	}
	return g, any
}

var extendedStat = regexp.MustCompile(`^(p|tm|wm|tc|ts)([0-9]+(?:\.[0-9]+)?)$`)

// stat computes a statistic: SampleCount, Average, Sum, Minimum, Maximum, or pNN, tmNN (mean of
// the values up to the NNth percentile), wmNN (the same with higher values clamped to it), tcNN
// (their count), tsNN (their sum) and IQM (mean of the 25th–75th percentile range). ok is false
// when the statistic cannot be computed (a percentile over statistic sets, which carry no values).
func (g cwAgg) stat(name string) (float64, bool) {
	switch name {
	case "SampleCount":
		return g.count, true
	case "Sum":
		return g.sum, true
	case "Average":
		return g.sum / g.count, true
	case "Minimum":
		return g.min, true
	case "Maximum":
		return g.max, true
	case "IQM":
		return g.trimmed(25, 75, "tm")
	}
	m := extendedStat.FindStringSubmatch(name)
	if m == nil {
		return 0, false
	}
	pct, _ := strconv.ParseFloat(m[2], 64)
	if m[1] == "p" {
		return g.percentile(pct)
	}
	return g.trimmed(0, pct, m[1])
}

// sortedValues pairs values with counts in value order.
func (g cwAgg) sortedValues() ([]float64, []float64, float64) {
	idx := make([]int, len(g.values))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return g.values[idx[a]] < g.values[idx[b]] })
	vs, cs := make([]float64, len(idx)), make([]float64, len(idx))
	total := 0.0
	for i, k := range idx {
		vs[i], cs[i] = g.values[k], g.counts[k]
		total += cs[i]
	}
	return vs, cs, total
}

// percentile is the nearest-rank percentile.
func (g cwAgg) percentile(pct float64) (float64, bool) {
	vs, cs, total := g.sortedValues()
	if total == 0 {
		return 0, false
	}
	rank := math.Max(1, math.Ceil(pct/100*total))
	seen := 0.0
	for i, v := range vs {
		seen += cs[i]
		if seen >= rank {
			return v, true
		}
	}
	return vs[len(vs)-1], true
}

// trimmed computes tm/wm/tc/ts over the values between the lo and hi percentiles.
func (g cwAgg) trimmed(lo, hi float64, kind string) (float64, bool) {
	vs, cs, total := g.sortedValues()
	if total == 0 {
		return 0, false
	}
	loV, _ := g.percentile(math.Max(lo, 0))
	hiV, _ := g.percentile(hi)
	var sum, n float64
	for i, v := range vs {
		switch {
		case kind == "wm":
			v = math.Min(math.Max(v, loV), hiV)
		case (lo > 0 && v < loV) || v > hiV:
			continue
		}
		sum += v * cs[i]
		n += cs[i]
	}
	switch kind {
	case "tc":
		return n, true
	case "ts":
		return sum, true
	}
	if n == 0 {
		return 0, false
	}
	return sum / n, true
}
