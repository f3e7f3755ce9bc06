import Foundation
import Synchronization

/// Request counts and latency histograms by route and status, rendered in Prometheus text format.
///
/// ```swift
/// metrics.record(method: "GET", route: "/health", status: 200, seconds: 0.002)
/// metrics.render(pool: (open: 2, inUse: 1, waiting: 0, size: 10))
/// ```
public final class HTTPMetrics: Sendable {
    static let buckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    private struct Series: Hashable {
        let method: String
        let route: String
        let status: Int
    }

    private struct Histogram {
        var counts = [Int](repeating: 0, count: HTTPMetrics.buckets.count)
        var count = 0
        var sum = 0.0
    }

    private struct State {
        var series: [Series: Histogram] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    func record(method: String, route: String, status: Int, seconds: Double) {
        state.withLock { state in
            let key = Series(method: method, route: route, status: status)
            var histogram = state.series[key] ?? Histogram()
            for (index, bound) in Self.buckets.enumerated() where seconds <= bound { histogram.counts[index] += 1 }
            histogram.count += 1
            histogram.sum += seconds
            state.series[key] = histogram
        }
    }

    /// The exposition text for `/metrics`.
    func render(pool: (open: Int, inUse: Int, waiting: Int, size: Int)) -> String {
        let series = state.withLock { $0.series }.sorted { ($0.key.route, $0.key.method, $0.key.status) < ($1.key.route, $1.key.method, $1.key.status) }
        var out = "# HELP http_requests_total HTTP requests answered, by method, route and status.\n# TYPE http_requests_total counter\n"
        for (key, histogram) in series {
            out += "http_requests_total{\(labels(key))} \(histogram.count)\n"
        }
        out += "# HELP http_request_duration_seconds Time to answer, by method, route and status.\n"
        out += "# TYPE http_request_duration_seconds histogram\n"
        for (key, histogram) in series {
            for (index, bound) in Self.buckets.enumerated() {
                out += "http_request_duration_seconds_bucket{\(labels(key)),le=\"\(bound)\"} \(histogram.counts[index])\n"
            }
            out += "http_request_duration_seconds_bucket{\(labels(key)),le=\"+Inf\"} \(histogram.count)\n"
            out += "http_request_duration_seconds_sum{\(labels(key))} \(histogram.sum)\n"
            out += "http_request_duration_seconds_count{\(labels(key))} \(histogram.count)\n"
        }
        out += "# HELP db_pool_connections Database connections by state.\n# TYPE db_pool_connections gauge\n"
        out += "db_pool_connections{state=\"open\"} \(pool.open)\ndb_pool_connections{state=\"in_use\"} \(pool.inUse)\n"
        out += "# HELP db_pool_waiting Requests waiting for a database connection.\n# TYPE db_pool_waiting gauge\n"
        out += "db_pool_waiting \(pool.waiting)\n"
        out += "# HELP db_pool_size The most database connections the pool opens.\n# TYPE db_pool_size gauge\n"
        out += "db_pool_size \(pool.size)\n"
        return out
    }

    private func labels(_ key: Series) -> String {
        "method=\"\(escape(key.method))\",route=\"\(escape(key.route))\",status=\"\(key.status)\""
    }

    private func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }
}
