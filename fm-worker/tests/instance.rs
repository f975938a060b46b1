//! Tests of the instance status client against a real gRPC server (tonic) serving
//! `proto.InstanceControl` on a loopback port.

// Test code: a failed unwrap, expect, panic or index is the test failing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use fm_worker::instance::*;
use k8s_openapi::api::core::v1::{
    Container, ContainerPort, ContainerStatus, Pod, PodSpec, PodStatus,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use prost::Message;

/// A gRPC server answering `GetFunctionStatus` with a fixed status, or with a fixed error.
#[derive(Clone)]
struct Fake(Result<FunctionStatus, tonic::Code>);

impl tonic::server::NamedService for Fake {
    const NAME: &'static str = "proto.InstanceControl";
}

struct Answer(Result<FunctionStatus, tonic::Code>);

impl tonic::server::UnaryService<()> for Answer {
    type Response = FunctionStatus;
    type Future = std::future::Ready<Result<tonic::Response<FunctionStatus>, tonic::Status>>;
    fn call(&mut self, _: tonic::Request<()>) -> Self::Future {
        std::future::ready(match &self.0 {
            Ok(s) => Ok(tonic::Response::new(s.clone())),
            Err(code) => Err(tonic::Status::new(*code, "refused")),
        })
    }
}

impl tower::Service<http::Request<tonic::body::Body>> for Fake {
    type Response = http::Response<tonic::body::Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;
    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }
    fn call(&mut self, req: http::Request<tonic::body::Body>) -> Self::Future {
        let answer = self.0.clone();
        Box::pin(async move {
            if req.uri().path() != GET_FUNCTION_STATUS {
                return Ok(tonic::Status::unimplemented("no such method").into_http());
            }
            let codec = tonic_prost::ProstCodec::<FunctionStatus, ()>::default();
            Ok(tonic::server::Grpc::new(codec)
                .unary(Answer(answer), req)
                .await)
        })
    }
}

/// Serves `fake` on a free loopback port; returns the port.
async fn serve(fake: Fake) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap(); // ok: test code
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(fake)
            .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener)),
    );
    port
}

fn sample() -> FunctionStatus {
    FunctionStatus {
        running: true,
        num_received: 42,
        num_successfully_processed: 40,
        num_user_exceptions: 2,
        latest_user_exceptions: vec![ExceptionInfo {
            exception_string: "boom".into(),
            ms_since_epoch: 1_700_000_000_000,
        }],
        average_latency: 1.5,
        last_invocation_time: 1_700_000_000_123,
        instance_id: "0".into(),
        ..FunctionStatus::default()
    }
}

fn pod(name: &str, phase: &str, ready: bool, ip: Option<&str>, port: Option<u16>) -> Pod {
    Pod {
        metadata: ObjectMeta {
            name: Some(name.into()),
            ..ObjectMeta::default()
        },
        spec: Some(PodSpec {
            containers: vec![Container {
                name: "pulsar-function".into(),
                ports: port.map(|p| {
                    vec![
                        ContainerPort {
                            name: Some("http-metrics".into()),
                            container_port: 9094,
                            ..ContainerPort::default()
                        },
                        ContainerPort {
                            name: Some("tcp-grpc".into()),
                            container_port: i32::from(p),
                            ..ContainerPort::default()
                        },
                    ]
                }),
                ..Container::default()
            }],
            ..PodSpec::default()
        }),
        status: Some(PodStatus {
            phase: Some(phase.into()),
            pod_ip: ip.map(str::to_owned),
            container_statuses: Some(vec![ContainerStatus {
                name: "pulsar-function".into(),
                ready,
                ..ContainerStatus::default()
            }]),
            ..PodStatus::default()
        }),
    }
}

#[test]
fn field_numbers_are_pulsars() {
    // numReceived is field 17 (varint): key (17 << 3) | 0 = 136 = 0x88 0x01.
    let bytes = FunctionStatus {
        num_received: 7,
        ..FunctionStatus::default()
    }
    .encode_to_vec();
    assert_eq!(bytes, vec![0x88, 0x01, 7]);
    // instanceId is field 14 (length-delimited): key (14 << 3) | 2 = 114.
    let bytes = FunctionStatus {
        instance_id: "3".into(),
        ..FunctionStatus::default()
    }
    .encode_to_vec();
    assert_eq!(bytes, vec![114, 1, b'3']);
}

#[test]
fn instance_port_is_the_grpc_container_port_else_9093() {
    assert_eq!(
        instance_port(&pod("f-0", "Running", true, None, Some(7001))),
        7001
    );
    assert_eq!(
        instance_port(&pod("f-0", "Running", true, None, None)),
        DEFAULT_PORT
    );
}

#[test]
fn only_running_ready_pods_with_an_ip_are_asked() {
    let pods = vec![
        pod(
            "fn-a-function-0",
            "Running",
            true,
            Some("10.0.0.1"),
            Some(9093),
        ),
        pod(
            "fn-a-function-1",
            "Running",
            false,
            Some("10.0.0.2"),
            Some(9093),
        ),
        pod("fn-a-function-2", "Pending", false, None, Some(9093)),
        pod("fn-a-function-3", "Running", true, None, Some(9093)),
        pod("fn-a-function-4", "Running", true, Some("fd00::4"), None),
        pod("no-ordinal", "Running", true, Some("10.0.0.9"), Some(9093)),
    ];
    assert_eq!(
        targets(&pods),
        vec![
            (0, "10.0.0.1:9093".to_owned()),
            (4, "[fd00::4]:9093".to_owned())
        ]
    );
}

#[tokio::test]
async fn a_running_instance_is_asked_and_its_counters_reported() {
    let port = serve(Fake(Ok(sample()))).await;
    let got = query(&format!("127.0.0.1:{port}"), TIMEOUT).await.unwrap();
    assert_eq!(got, sample());
    let pods = vec![
        pod(
            "f-function-0",
            "Running",
            true,
            Some("127.0.0.1"),
            Some(port),
        ),
        pod(
            "f-function-1",
            "Running",
            true,
            Some("127.0.0.1"),
            Some(port),
        ),
    ];
    let reports = reports(&pods, TIMEOUT).await;
    assert_eq!(reports.len(), 2);
    let r = &reports[&1];
    assert!(r.running);
    assert_eq!((r.num_received, r.num_successfully_processed), (42, 40));
    assert_eq!(r.latest_user_exceptions[0].exception_string, "boom");
    assert_eq!(r.latest_user_exceptions[0].timestamp_ms, 1_700_000_000_000);
    assert_eq!(r.failure, None);
}

#[tokio::test]
async fn an_error_status_is_a_call_error_and_no_report() {
    let port = serve(Fake(Err(tonic::Code::Unavailable))).await;
    let e = query(&format!("127.0.0.1:{port}"), TIMEOUT)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, InstanceError::Call { code, .. } if code == "Unavailable"),
        "{e}"
    );
    let pods = vec![pod("f-0", "Running", true, Some("127.0.0.1"), Some(port))];
    assert!(reports(&pods, TIMEOUT).await.is_empty());
}

#[tokio::test]
async fn nothing_listening_is_a_connect_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let e = query(&format!("127.0.0.1:{port}"), TIMEOUT)
        .await
        .unwrap_err();
    assert!(matches!(e, InstanceError::Connect { .. }), "{e}");
}

#[tokio::test]
async fn a_silent_instance_is_given_up_on() {
    // Accepts TCP but never speaks HTTP/2: the call ends with a timeout or connect error.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let held = tokio::spawn(async move {
        let mut kept = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            kept.push(s);
        }
    });
    let e = query(&format!("127.0.0.1:{port}"), Duration::from_millis(300))
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            InstanceError::Timeout { .. } | InstanceError::Connect { .. }
        ),
        "{e}"
    );
    held.abort();
}

#[test]
fn a_bad_address_is_named() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let e = rt.block_on(query("bad host:1", TIMEOUT)).unwrap_err();
    assert_eq!(
        e,
        InstanceError::Address {
            addr: "bad host:1".into()
        }
    );
}
