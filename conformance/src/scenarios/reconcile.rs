//! Scenario 3: the operator reconciles each converted Function/Sink/Source into a StatefulSet and a headless
//! Service, whose pod template and `--function_details` match the resource and the original Pulsar config.

use std::path::PathBuf;
use std::time::Duration;

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::Service;
use kube::api::Api;
use serde_json::Value;

use super::apply::NS;
use super::fixtures::{self, Kind};
use super::need_operator;
use super::Ctx;
use crate::kubeutil::{ensure_namespace, wait_for};
use crate::report::{Failure, Outcome};
use crate::{crds, gate, require};

/// Extracts and parses the JSON after `--function_details '` in a shell command line.
pub fn function_details(command: &str) -> Option<Value> {
    let start = command.find("--function_details '")? + "--function_details '".len();
    let rest = command.get(start..)?;
    let mut it = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
    it.next()?.ok()
}

/// Waits for the StatefulSet of `name` and returns it.
pub async fn wait_statefulset(
    client: &kube::Client,
    ns: &str,
    sts_name: &str,
) -> crate::Result<StatefulSet> {
    let api: Api<StatefulSet> = Api::namespaced(client.clone(), ns);
    wait_for(
        &format!("StatefulSet {ns}/{sts_name}"),
        Duration::from_secs(60),
        || {
            let api = api.clone();
            let n = sts_name.to_owned();
            async move { Ok(api.get_opt(&n).await?.is_some()) }
        },
    )
    .await?;
    Ok(api.get(sts_name).await?)
}

fn enum_or_zero(v: &Value, zero: &str) -> String {
    v.as_str().unwrap_or(zero).to_owned()
}

/// Scenario 3: The operator reconciles one fixture file's resource.
pub async fn one(ctx: &Ctx<'_>, kind: Kind, file: PathBuf) -> Outcome {
    let mut o = Outcome::default();
    let object = format!("{} fixture {}", kind.kind(), file.display());
    gate!(need_operator(ctx));
    crds!(ctx, o);
    let client = ctx.backend.client();
    require!(
        ensure_namespace(&client, NS).await,
        format!("namespace {NS}")
    );
    let cctx = require!(fixtures::context_for(&ctx.fixtures, &file), object);
    let fname = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let fx = match fixtures::convert(&file, kind, &cctx) {
        Ok(fx) => fx,
        Err(e) => {
            o.fail(Failure::new(
                format!("fixture {}/{fname}", kind.dir()),
                "-",
                "converts",
                e,
            ));
            return o;
        }
    };
    let (name, _) = match fixtures::apply(&client, NS, kind, &fx).await {
        Ok(x) => x,
        Err(e) => {
            o.fail(Failure::new(
                format!("fixture {}/{fname}", kind.dir()),
                "-",
                "applied",
                e,
            ));
            return o;
        }
    };
    let sts_name = format!("{name}-{}", kind.suffix());
    let obj = format!("StatefulSet {NS}/{sts_name} (from {fname})");
    let sts = match wait_statefulset(&client, NS, &sts_name).await {
        Ok(s) => s,
        Err(e) => {
            o.fail(Failure::new(
                &obj,
                "-",
                "created by the operator",
                e.to_string(),
            ));
            return o;
        }
    };
    let spec = &fx.resource["spec"];
    let sts_spec = sts.spec.clone().unwrap_or_default();
    o.check_eq(
        &obj,
        "spec.replicas",
        spec["replicas"].as_i64().or(Some(1)),
        sts_spec.replicas.map(i64::from),
    );
    let pod = sts_spec.template.spec.clone().unwrap_or_default();
    let c = pod.containers.first().cloned().unwrap_or_default();
    if let Some(img) = spec["image"].as_str() {
        o.check_eq(
            &obj,
            "spec.template.spec.containers[0].image",
            Some(img),
            c.image.as_deref(),
        );
    }
    if let Some(sa) = spec["pod"]["serviceAccountName"].as_str() {
        o.check_eq(
            &obj,
            "spec.template.spec.serviceAccountName",
            Some(sa),
            pod.service_account_name.as_deref(),
        );
    }
    // resources
    let want_res = &spec["resources"];
    let got_res = serde_json::to_value(&c.resources).unwrap_or_default();
    for (path, w, g) in fixtures::lost_fields(
        want_res,
        &got_res,
        "spec.template.spec.containers[0].resources",
    ) {
        o.fail(Failure::new(&obj, path, w, g));
    }
    // labels of the resource are on the pod template
    let tmpl_labels = serde_json::to_value(
        sts_spec
            .template
            .metadata
            .as_ref()
            .and_then(|m| m.labels.clone()),
    )
    .unwrap_or_default();
    for (path, w, g) in fixtures::lost_fields(
        &spec["pod"]["labels"],
        &tmpl_labels,
        "spec.template.metadata.labels",
    ) {
        o.fail(Failure::new(&obj, path, w, g));
    }
    // env of the pod policy is on the container
    if let Some(env) = spec["pod"]["env"].as_array() {
        let got: Vec<String> = c
            .env
            .clone()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.name)
            .collect();
        for e in env.iter().filter_map(|e| e["name"].as_str()) {
            if !got.iter().any(|g| g == e) {
                o.fail(Failure::new(
                    &obj,
                    "spec.template.spec.containers[0].env",
                    format!("contains {e}"),
                    format!("{got:?}"),
                ));
            }
        }
    }
    // volumes of the pod policy
    if let Some(vols) = spec["pod"]["volumes"].as_array() {
        let got: Vec<String> = pod
            .volumes
            .clone()
            .unwrap_or_default()
            .into_iter()
            .map(|v| v.name)
            .collect();
        for v in vols.iter().filter_map(|v| v["name"].as_str()) {
            if !got.iter().any(|g| g == v) {
                o.fail(Failure::new(
                    &obj,
                    "spec.template.spec.volumes",
                    format!("contains {v}"),
                    format!("{got:?}"),
                ));
            }
        }
    }
    // The headless Service.
    let svc_name = format!("{sts_name}-headless");
    match Api::<Service>::namespaced(client.clone(), NS)
        .get_opt(&svc_name)
        .await
    {
        Ok(Some(svc)) => o.check_eq(
            &format!("Service {NS}/{svc_name}"),
            "spec.clusterIP",
            Some("None"),
            svc.spec.as_ref().and_then(|s| s.cluster_ip.as_deref()),
        ),
        Ok(None) => o.fail(Failure::new(
            format!("Service {NS}/{svc_name}"),
            "-",
            "created by the operator",
            "absent",
        )),
        Err(e) => o.fail(Failure::unavailable(format!("Service {NS}/{svc_name}"), e)),
    }
    // --function_details
    let cmd = c.command.clone().unwrap_or_default().join(" ");
    if fx.resource["spec"]["golang"].is_object() {
        // Go instances are configured through GO_FUNCTION_CONF, not --function_details.
        o.note(format!(
            "{fname}: {sts_name} + {svc_name}; Go runtime (no --function_details)"
        ));
        return o;
    }
    let Some(fd) = function_details(&cmd) else {
        o.fail(Failure::new(
            &obj,
            "containers[0].command",
            "a --function_details JSON",
            cmd.chars().take(200).collect::<String>(),
        ));
        return o;
    };
    let cfg = &fx.config;
    let fobj = format!("{obj} --function_details");
    for key in ["tenant", "namespace", "name"] {
        if let Some(want) = cfg[key].as_str() {
            o.check_eq(&fobj, key, Some(want), fd[key].as_str());
        }
    }
    let precise = spec["showPreciseParallelism"].as_bool().unwrap_or(false);
    let want_par = if precise {
        cfg["parallelism"].as_i64().unwrap_or(1)
    } else {
        1
    };
    o.check_eq(
        &fobj,
        "parallelism",
        want_par,
        fd["parallelism"].as_i64().unwrap_or(0),
    );
    if let Some(g) = cfg["processingGuarantees"].as_str() {
        o.check_eq(
            &fobj,
            "processingGuarantees",
            g.to_owned(),
            enum_or_zero(&fd["processingGuarantees"], "ATLEAST_ONCE"),
        );
    }
    if kind == Kind::Function {
        let want_rt = if cfg["py"].is_string() {
            "PYTHON"
        } else if cfg["go"].is_string() {
            "GO"
        } else {
            "JAVA"
        };
        o.check_eq(
            &fobj,
            "runtime",
            want_rt.to_owned(),
            enum_or_zero(&fd["runtime"], "JAVA"),
        );
    }
    if let Some(inputs) = cfg["inputs"].as_array() {
        for t in inputs.iter().filter_map(Value::as_str) {
            if fd["source"]["inputSpecs"].get(t).is_none() {
                o.fail(Failure::new(
                    &fobj,
                    format!("source.inputSpecs[{t}]"),
                    "present",
                    "absent",
                ));
            }
        }
    }
    if let Some(out) = cfg["output"].as_str().or(cfg["topicName"].as_str()) {
        o.check_eq(&fobj, "sink.topic", Some(out), fd["sink"]["topic"].as_str());
    }
    if let Some(cpu) = cfg["resources"]["cpu"].as_f64() {
        o.check_eq(
            &fobj,
            "resources.cpu",
            Some(cpu),
            fd["resources"]["cpu"].as_f64(),
        );
    }
    if let Some(ram) = cfg["resources"]["ram"].as_i64() {
        let got = fd["resources"]["ram"]
            .as_str()
            .and_then(|s| s.parse::<i64>().ok())
            .or(fd["resources"]["ram"].as_i64());
        o.check_eq(&fobj, "resources.ram", Some(ram), got);
    }
    o.note(format!(
        "{fname}: {sts_name} + {svc_name}; function_details checked"
    ));
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracts_function_details_json() {
        let cmd = r#"exec java -cp x --function_details '{"tenant":"public","name":"a b"}' --function_id ${POD_NAME}"#;
        let v = function_details(cmd).unwrap();
        assert_eq!(v["tenant"], "public");
        assert_eq!(v["name"], "a b");
        assert!(function_details("no details").is_none());
    }
}
