//! Timing: N requests at a fixed concurrency, their latencies, p50/p99 and requests per second.

use std::time::{Duration, Instant};

use futures::StreamExt;

/// The latencies of the requests of one (side, count, operation), gathered over the rounds.
#[derive(Debug, Default, Clone)]
pub struct Sample {
    /// One entry per request.
    pub latencies: Vec<Duration>,
    /// Wall-clock time of the batches, summed.
    pub wall: Duration,
}

impl Sample {
    /// The `q` quantile (0..=1), nearest rank.
    pub fn quantile(&self, q: f64) -> Duration {
        let mut v = self.latencies.clone();
        v.sort();
        if v.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
        v[rank - 1]
    }

    /// Requests per second over the batches' wall-clock time.
    pub fn rate(&self) -> f64 {
        if self.wall.is_zero() {
            0.0
        } else {
            self.latencies.len() as f64 / self.wall.as_secs_f64()
        }
    }
}

/// GETs every URL, `concurrency` at a time; each answer must be 200 (its body is read whole).
/// Adds the latencies and the batch's wall-clock time to `into`.
pub async fn batch(
    client: &reqwest::Client,
    urls: Vec<String>,
    concurrency: usize,
    into: &mut Sample,
) -> Result<(), String> {
    let t0 = Instant::now();
    let results: Vec<Result<Duration, String>> = futures::stream::iter(urls)
        .map(|url| async move {
            let t = Instant::now();
            let (status, body) = crate::setup::get(client, &url).await?;
            let took = t.elapsed();
            if status != reqwest::StatusCode::OK {
                return Err(format!(
                    "GET {url}: {status}: {}",
                    String::from_utf8_lossy(&body)
                ));
            }
            Ok(took)
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    into.wall += t0.elapsed();
    for r in results {
        into.latencies.push(r?);
    }
    Ok(())
}

/// Milliseconds with two decimals.
pub fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}
