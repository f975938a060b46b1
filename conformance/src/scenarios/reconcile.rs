//! Scenario 3: the operator reconciles each converted Function/Sink/Source into a StatefulSet and a headless
//! Service, whose pod template and `--function_details` match the resource and the original Pulsar config.

use std::path::{Path, PathBuf};
use std::time::Duration;

use fm_model::ComponentKind;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{Container, PodSpec, Service};
use kube::api::Api;
use serde_json::Value;

use super::apply::NS;
use super::base::{need_operator, use_crds, Ctx, Require, Scenario, ScenarioResult, Stage};
use super::fixtures::{self, ConvertedFixture};
use crate::kubeutil::{ensure_namespace, wait_for};
use crate::report::{Failure, Outcome};

/// Scenario 3, one per fixture file (Functions, then Sinks, then Sources).
pub fn scenarios(fixtures_dir: &Path) -> Vec<Scenario> {
    let mut v = Vec::new();
    for kind in ComponentKind::ALL {
        for f in fixtures::files(fixtures_dir, kind) {
            let stem = f
                .file_stem()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let title = format!("operator reconciles {} {stem}", kind.lower());
            v.push(Scenario::new(Stage::Reconcile, 3, title, move |c| {
                Box::pin(one(c, kind, f.clone()))
            }));
        }
    }
    v
}

/// Extracts and parses the JSON after `--function_details '` in a shell command line.
pub fn function_details(command: &str) -> Option<Value> {
    let start = command.find("--function_details '")? + "--function_details '".len();
    let rest = command.get(start..)?;
    let mut it = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
    it.next()?.ok()
}

/// Pulsar's window executor: the class a window function's instance runs.
const WINDOW_EXECUTOR: &str = "org.apache.pulsar.functions.windowing.WindowFunctionExecutor";

/// Pulsar's batch source executor: the class a batch source's instance runs.
const BATCH_EXECUTOR: &str = "org.apache.pulsar.functions.source.batch.BatchSourceExecutor";

/// Extracts and parses the Go instance config of a Go function's shell command line: the JSON assigned to
/// `GO_FUNCTION_CONF=` (with its double quotes backslash-escaped for the shell, and shell variables such as
/// `${SHARD_ID}` as values, read as 0).
pub fn go_function_conf(command: &str) -> Option<Value> {
    let start = command.find("GO_FUNCTION_CONF=")? + "GO_FUNCTION_CONF=".len();
    let mut rest = command.get(start..)?.replace("\\\"", "\"");
    while let Some(i) = rest.find("${") {
        let end = rest.get(i..)?.find('}')? + i;
        rest.replace_range(i..=end, "0");
    }
    let mut it = serde_json::Deserializer::from_str(&rest).into_iter::<Value>();
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

/// How long scenario 3 watches an unmanaged resource for a StatefulSet that must not appear.
const UNMANAGED_WATCH: Duration = Duration::from_secs(5);

/// Whether fmesh marked the resource as not managed by the operator (`compute.functionmesh.io/managed: "false"`).
pub fn unmanaged(resource: &Value) -> bool {
    resource["metadata"]["annotations"][fm_convert::naming::MANAGED_ANNOTATION].as_str()
        == Some("false")
}

/// The config of `file` without the trusted-mode `managed` flag in `customRuntimeOptions`.
fn without_managed_flag(file: &std::path::Path) -> Result<Value, String> {
    let mut cfg = fixtures::read_config(file)?;
    let opts = cfg["customRuntimeOptions"]
        .as_str()
        .ok_or_else(|| format!("{}: no customRuntimeOptions", file.display()))?;
    let mut opts: Value = serde_json::from_str(opts)
        .map_err(|e| format!("{}: customRuntimeOptions: {e}", file.display()))?;
    if let Some(m) = opts.as_object_mut() {
        m.remove("managed");
    }
    cfg["customRuntimeOptions"] = Value::String(opts.to_string());
    Ok(cfg)
}

/// Scenario 3: The operator reconciles one fixture file's resource. A resource fmesh marks as unmanaged gets no
/// StatefulSet; once the flag is removed (re-applied without the annotation) it gets one.
pub async fn one(ctx: &Ctx<'_>, kind: ComponentKind, file: PathBuf) -> ScenarioResult {
    let mut o = Outcome::default();
    let object = format!("{} fixture {}", kind.as_str(), file.display());
    need_operator(ctx)?;
    use_crds(ctx, &mut o)?;
    let client = ctx.backend.client();
    ensure_namespace(&client, NS)
        .await
        .require(&format!("namespace {NS}"))?;
    let cctx = fixtures::context_for(&ctx.fixtures, &file).require(&object)?;
    let fname = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let fixture = format!("fixture {}/{fname}", kind.plural());
    let mut fx = match fixtures::convert(&file, kind, &cctx) {
        Ok(fx) => fx,
        Err(e) => {
            o.fail(Failure::new(&fixture, "-", "converts", e));
            return Ok(o);
        }
    };
    let (name, _) = match fixtures::apply(&client, NS, kind, &fx).await {
        Ok(x) => x,
        Err(e) => {
            o.fail(Failure::new(&fixture, "-", "applied", e));
            return Ok(o);
        }
    };
    let sts_name = format!("{name}-{}", kind.lower());
    let obj = format!("StatefulSet {NS}/{sts_name} (from {fname})");
    let sts_api: Api<StatefulSet> = Api::namespaced(client.clone(), NS);
    if unmanaged(&fx.resource) {
        // The operator must leave it alone: no StatefulSet while the annotation is there.
        let appeared = wait_for(
            &format!("StatefulSet {NS}/{sts_name}"),
            UNMANAGED_WATCH,
            || {
                let api = sts_api.clone();
                let n = sts_name.clone();
                async move { Ok(api.get_opt(&n).await?.is_some()) }
            },
        )
        .await;
        if appeared.is_ok() {
            o.fail(Failure::new(
                &obj,
                "-",
                format!(
                    "absent: the resource is annotated {}=false",
                    fm_convert::naming::MANAGED_ANNOTATION
                ),
                "created by the operator",
            ));
            return Ok(o);
        }
        // Without the flag: the same resource, re-applied without the annotation, is reconciled.
        let cfg = without_managed_flag(&file).require(&fixture)?;
        fx = match fixtures::convert_value(&cfg, &file, kind, &cctx) {
            Ok(fx) => fx,
            Err(e) => {
                o.fail(Failure::new(&fixture, "-", "converts without `managed`", e));
                return Ok(o);
            }
        };
        if unmanaged(&fx.resource) {
            o.fail(Failure::new(
                &fixture,
                "metadata.annotations",
                "no managed=false annotation once the flag is removed",
                "still annotated",
            ));
            return Ok(o);
        }
        if let Err(e) = fixtures::apply(&client, NS, kind, &fx).await {
            o.fail(Failure::new(
                &fixture,
                "-",
                "re-applied without `managed`",
                e,
            ));
            return Ok(o);
        }
        o.note(format!(
            "{fname}: unmanaged: no StatefulSet in {}s; managed flag removed → reconciled",
            UNMANAGED_WATCH.as_secs()
        ));
    }
    let sts = match wait_statefulset(&client, NS, &sts_name).await {
        Ok(s) => s,
        Err(e) => {
            o.fail(Failure::new(
                &obj,
                "-",
                "created by the operator",
                e.to_string(),
            ));
            return Ok(o);
        }
    };
    check_statefulset(&mut o, &obj, kind, &fx, &sts);
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
    o.note(format!(
        "{fname}: {sts_name} + {svc_name}; pod template and instance config checked"
    ));
    Ok(o)
}

/// The main container of a pod template: `pulsar-<kind>`, else the first one.
pub fn main_container(pod: &PodSpec, kind: ComponentKind) -> Container {
    let name = format!("pulsar-{}", kind.lower());
    pod.containers
        .iter()
        .find(|c| c.name == name)
        .or_else(|| pod.containers.first())
        .cloned()
        .unwrap_or_default()
}

/// Every entry of `want` (a list of objects named by `name`) is in `got` under the same name with every field
/// fmesh wrote.
fn named_entries(o: &mut Outcome, obj: &str, field: &str, want: &Value, got: &Value) {
    let got = got.as_array().cloned().unwrap_or_default();
    for w in want.as_array().into_iter().flatten() {
        let Some(n) = w["name"].as_str() else {
            continue;
        };
        match got.iter().find(|g| g["name"].as_str() == Some(n)) {
            Some(g) => {
                for (path, wv, gv) in fixtures::lost_fields(w, g, &format!("{field}[{n}]")) {
                    o.fail(Failure::new(obj, path, wv, gv));
                }
            }
            None => o.fail(Failure::new(
                obj,
                format!("{field}[{n}]"),
                "present",
                format!(
                    "absent (have {:?})",
                    got.iter()
                        .filter_map(|g| g["name"].as_str())
                        .collect::<Vec<_>>()
                ),
            )),
        }
    }
}

/// Per field: the StatefulSet the operator made from `fx` carries the replicas, image, resources, env, volumes,
/// volume mounts, service account, pod labels/annotations and instance config (`--function_details`, or
/// `GO_FUNCTION_CONF` for Go) that fmesh wrote.
pub fn check_statefulset(
    o: &mut Outcome,
    obj: &str,
    kind: ComponentKind,
    fx: &ConvertedFixture,
    sts: &StatefulSet,
) {
    let spec = &fx.resource["spec"];
    let sts_spec = sts.spec.clone().unwrap_or_default();
    o.check_eq(
        obj,
        "spec.replicas",
        spec["replicas"].as_i64().or(Some(1)),
        sts_spec.replicas.map(i64::from),
    );
    let pod = sts_spec.template.spec.clone().unwrap_or_default();
    let c = main_container(&pod, kind);
    let cpath = format!("spec.template.spec.containers[{}]", c.name);
    if let Some(img) = spec["image"].as_str() {
        o.check_eq(
            obj,
            &format!("{cpath}.image"),
            Some(img),
            c.image.as_deref(),
        );
    }
    if let Some(sa) = spec["pod"]["serviceAccountName"].as_str() {
        o.check_eq(
            obj,
            "spec.template.spec.serviceAccountName",
            Some(sa),
            pod.service_account_name.as_deref(),
        );
    }
    let got_res = serde_json::to_value(&c.resources).unwrap_or_default();
    for (path, w, g) in
        fixtures::lost_fields(&spec["resources"], &got_res, &format!("{cpath}.resources"))
    {
        o.fail(Failure::new(obj, path, w, g));
    }
    let meta = sts_spec.template.metadata.clone().unwrap_or_default();
    for (part, got) in [
        ("labels", serde_json::to_value(&meta.labels)),
        ("annotations", serde_json::to_value(&meta.annotations)),
    ] {
        if !spec["pod"][part].is_object() {
            continue;
        }
        for (path, w, g) in fixtures::lost_fields(
            &spec["pod"][part],
            &got.unwrap_or_default(),
            &format!("spec.template.metadata.{part}"),
        ) {
            o.fail(Failure::new(obj, path, w, g));
        }
    }
    named_entries(
        o,
        obj,
        &format!("{cpath}.env"),
        &spec["pod"]["env"],
        &serde_json::to_value(&c.env).unwrap_or_default(),
    );
    named_entries(
        o,
        obj,
        "spec.template.spec.volumes",
        &spec["pod"]["volumes"],
        &serde_json::to_value(&pod.volumes).unwrap_or_default(),
    );
    named_entries(
        o,
        obj,
        &format!("{cpath}.volumeMounts"),
        &spec["volumeMounts"],
        &serde_json::to_value(&c.volume_mounts).unwrap_or_default(),
    );
    // Instance config.
    let cmd = c.command.clone().unwrap_or_default().join(" ");
    if spec["golang"].is_object() {
        let Some(conf) = go_function_conf(&cmd) else {
            o.fail(Failure::new(
                obj,
                format!("{cpath}.command"),
                "GO_FUNCTION_CONF=<the Go instance config as JSON>",
                cmd.chars().take(200).collect::<String>(),
            ));
            return;
        };
        let cobj = format!("{obj} GO_FUNCTION_CONF");
        let cfg = &fx.config;
        for (key, conf_key) in [
            ("tenant", "tenant"),
            ("namespace", "nameSpace"),
            ("name", "name"),
        ] {
            if let Some(want) = cfg[key].as_str() {
                o.check_eq(&cobj, conf_key, Some(want), conf[conf_key].as_str());
            }
        }
        return;
    }
    let Some(fd) = function_details(&cmd) else {
        o.fail(Failure::new(
            obj,
            format!("{cpath}.command"),
            "a --function_details JSON",
            cmd.chars().take(200).collect::<String>(),
        ));
        return;
    };
    check_function_details(o, &format!("{obj} --function_details"), kind, fx, &fd);
}

/// Per field: the instance's `--function_details` carries the Pulsar config fmesh converted.
fn check_function_details(
    o: &mut Outcome,
    fobj: &str,
    kind: ComponentKind,
    fx: &ConvertedFixture,
    fd: &Value,
) {
    let cfg = &fx.config;
    let spec = &fx.resource["spec"];
    for key in ["tenant", "namespace", "name"] {
        if let Some(want) = cfg[key].as_str() {
            o.check_eq(fobj, key, Some(want), fd[key].as_str());
        }
    }
    if let Some(class) = spec["className"].as_str() {
        match kind {
            // A window function runs in Pulsar's window executor, which reads the user's class from the window
            // config in the user config.
            ComponentKind::Function if spec["windowConfig"].is_object() => {
                o.check_eq(
                    fobj,
                    "className",
                    Some(WINDOW_EXECUTOR),
                    fd["className"].as_str(),
                );
                let user: Value = fd["userConfig"]
                    .as_str()
                    .and_then(|t| serde_json::from_str(t).ok())
                    .unwrap_or_default();
                o.check_eq(
                    fobj,
                    "userConfig.__WINDOWCONFIGS__.actualWindowFunctionClassName",
                    Some(class),
                    user["__WINDOWCONFIGS__"]["actualWindowFunctionClassName"].as_str(),
                );
            }
            ComponentKind::Function => {
                o.check_eq(fobj, "className", Some(class), fd["className"].as_str())
            }
            ComponentKind::Sink => o.check_eq(
                fobj,
                "sink.className",
                Some(class),
                fd["sink"]["className"].as_str(),
            ),
            // A batch source runs in Pulsar's batch executor, which reads the user's class from the configs.
            ComponentKind::Source if spec["batchSourceConfig"].is_object() => {
                o.check_eq(
                    fobj,
                    "source.className",
                    Some(BATCH_EXECUTOR),
                    fd["source"]["className"].as_str(),
                );
                let configs: Value = fd["source"]["configs"]
                    .as_str()
                    .and_then(|t| serde_json::from_str(t).ok())
                    .unwrap_or_default();
                o.check_eq(
                    fobj,
                    "source.configs.__BATCHSOURCECLASSNAME__",
                    Some(class),
                    configs["__BATCHSOURCECLASSNAME__"].as_str(),
                );
            }
            ComponentKind::Source => o.check_eq(
                fobj,
                "source.className",
                Some(class),
                fd["source"]["className"].as_str(),
            ),
        }
    }
    let precise = spec["showPreciseParallelism"].as_bool().unwrap_or(false);
    let want_par = if precise {
        cfg["parallelism"].as_i64().unwrap_or(1)
    } else {
        1
    };
    o.check_eq(
        fobj,
        "parallelism",
        want_par,
        fd["parallelism"].as_i64().unwrap_or(0),
    );
    // A window function's instance runs MANUAL (the window executor acknowledges); the config's
    // guarantee is the window's, as in Pulsar's own conversion.
    let window = kind == ComponentKind::Function && cfg["windowConfig"].is_object();
    let want_guarantee = if window {
        Some("MANUAL")
    } else {
        cfg["processingGuarantees"].as_str()
    };
    if let Some(g) = want_guarantee {
        o.check_eq(
            fobj,
            "processingGuarantees",
            g.to_owned(),
            enum_or_zero(&fd["processingGuarantees"], "ATLEAST_ONCE"),
        );
    }
    if kind == ComponentKind::Function {
        let want_rt = if cfg["py"].is_string() {
            "PYTHON"
        } else if cfg["go"].is_string() {
            "GO"
        } else {
            "JAVA"
        };
        o.check_eq(
            fobj,
            "runtime",
            want_rt.to_owned(),
            enum_or_zero(&fd["runtime"], "JAVA"),
        );
    }
    if let Some(inputs) = cfg["inputs"].as_array() {
        for t in inputs.iter().filter_map(Value::as_str) {
            if fd["source"]["inputSpecs"].get(t).is_none() {
                o.fail(Failure::new(
                    fobj,
                    format!("source.inputSpecs[{t}]"),
                    "present",
                    "absent",
                ));
            }
        }
    }
    if let Some(out) = cfg["output"].as_str().or(cfg["topicName"].as_str()) {
        o.check_eq(fobj, "sink.topic", Some(out), fd["sink"]["topic"].as_str());
    }
    if let Some(cpu) = cfg["resources"]["cpu"].as_f64() {
        o.check_eq(
            fobj,
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
        o.check_eq(fobj, "resources.ram", Some(ram), got);
    }
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

    #[test]
    fn extracts_go_function_conf() {
        let cmd = r#"GO_FUNCTION_CONF={\"tenant\":\"public\",\"nameSpace\":\"default\",\"name\":\"a b\",\"instanceID\":${SHARD_ID}} && goFunctionConfigs=${GO_FUNCTION_CONF} && exec /f -instance-conf ${goFunctionConfigs}"#;
        let v = go_function_conf(cmd).unwrap();
        assert_eq!(v["nameSpace"], "default");
        assert_eq!(v["name"], "a b");
        assert_eq!(v["instanceID"], 0);
        assert!(go_function_conf("exec /f").is_none());
    }
}
