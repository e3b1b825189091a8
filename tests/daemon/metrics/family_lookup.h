// Looking up series in collected families, for the metrics tests. A lookup that finds
// nothing fails the test and gives nullptr (or -1 for a value).
#pragma once

#include <gtest/gtest.h>
#include <prometheus/metric_family.h>

#include <map>
#include <string>
#include <vector>

namespace customsd::testing {

using Labels = std::map<std::string, std::string>;

inline const prometheus::MetricFamily* FindFamily(
    const std::vector<prometheus::MetricFamily>& families, const std::string& name) {
  for (const prometheus::MetricFamily& f : families) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

// The series of `name` with exactly `labels`; fails the test when there is none.
inline const prometheus::ClientMetric* FindSeries(
    const std::vector<prometheus::MetricFamily>& families, const std::string& name,
    const Labels& labels = {}) {
  const prometheus::MetricFamily* family = FindFamily(families, name);
  if (family == nullptr) {
    ADD_FAILURE() << "no family " << name;
    return nullptr;
  }
  for (const prometheus::ClientMetric& m : family->metric) {
    Labels have;
    for (const auto& l : m.label) have[l.name] = l.value;
    if (have == labels) return &m;
  }
  ADD_FAILURE() << "no series of " << name << " with those labels";
  return nullptr;
}

inline double CounterValue(const std::vector<prometheus::MetricFamily>& f, const std::string& name,
                           const Labels& labels = {}) {
  const prometheus::ClientMetric* m = FindSeries(f, name, labels);
  return m == nullptr ? -1 : m->counter.value;
}

inline double GaugeValue(const std::vector<prometheus::MetricFamily>& f, const std::string& name,
                         const Labels& labels = {}) {
  const prometheus::ClientMetric* m = FindSeries(f, name, labels);
  return m == nullptr ? -1 : m->gauge.value;
}

}  // namespace customsd::testing
