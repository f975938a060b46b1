//! Scenario 10, functions: the `pulsar-admin functions` lifecycle through the worker.

use std::time::Instant;

use serde_json::{json, Value};

use super::support::{
    admin, check, ensure_package, json_out, start, step, stored, CLASS, NS, PACKAGE, PULSAR_NS,
    TENANT,
};
use crate::report::{Failure, Outcome};
use crate::scenarios::base::{use_crds, Ctx, Require, ScenarioResult};

/// `functions create` (a `function://` package uploaded with `packages upload`), get, list,
/// update --parallelism, status, stop/start/restart, delete.
pub async fn functions_lifecycle(ctx: &Ctx<'_>) -> ScenarioResult {
    let mut o = Outcome::default();
    let p = ctx.backend.pulsar().require("Pulsar")?;
    use_crds(ctx, &mut o)?;
    let (st, w) = start(ctx).await.require("fmesh worker")?;
    let url = w.url();
    let u = Some(url.as_str());
    let t0 = Instant::now();
    if let Err(e) = ensure_package(ctx, p) {
        o.fail(Failure::new(
            "pulsar-admin packages upload",
            "-",
            "exit 0",
            e,
        ));
        return Ok(o);
    }
    // A package that was never uploaded: refused before anything is written.
    let missing = "function://public/default/fmesh-worker-never-uploaded@v1";
    let args = [
        "functions",
        "create",
        "--tenant",
        TENANT,
        "--namespace",
        PULSAR_NS,
        "--name",
        "wmissing",
        "--classname",
        CLASS,
        "--inputs",
        "persistent://public/default/wm-in",
        "--jar",
        missing,
    ];
    match admin(p, u, &args) {
        Ok(out) => o.fail(Failure::new(
            "functions create (package not uploaded)",
            "-",
            "refused",
            out,
        )),
        Err(e) if !e.contains(&format!("package {missing} does not exist")) => {
            o.fail(Failure::new(
                "functions create (package not uploaded)",
                "-",
                "the reason names the package",
                e,
            ))
        }
        Err(_) => {}
    }
    let ids = [
        "--tenant",
        TENANT,
        "--namespace",
        PULSAR_NS,
        "--name",
        "wfn",
    ];
    let name = st.library().resource_name(TENANT, PULSAR_NS, "wfn");
    let obj = format!("Function {NS}/{name}");
    let f = fm_worker::Kind::Function;
    // create
    let mut args = vec!["functions", "create"];
    args.extend(ids);
    args.extend([
        "--classname",
        CLASS,
        "--inputs",
        "persistent://public/default/wfn-in",
        "--output",
        "persistent://public/default/wfn-out",
        "--jar",
        PACKAGE,
    ]);
    step(&mut o, p, u, &args)?;
    let r = stored(ctx, f, &name).await;
    check(&mut o, &obj, &r, "/spec/java/jarLocation", json!(PACKAGE));
    check(&mut o, &obj, &r, "/spec/className", json!(CLASS));
    check(&mut o, &obj, &r, "/spec/replicas", json!(1));
    check(
        &mut o,
        &obj,
        &r,
        "/metadata/labels/compute.functionmesh.io~1pulsar-component",
        json!("wfn"),
    );
    let managers: Vec<Value> = r
        .as_ref()
        .and_then(|r| r.pointer("/metadata/managedFields"))
        .and_then(Value::as_array)
        .map(|m| {
            m.iter()
                .map(|e| json!([e["manager"], e["operation"]]))
                .collect()
        })
        .unwrap_or_default();
    if !managers.contains(&json!(["fmesh-worker", "Apply"])) {
        o.fail(Failure::new(
            &obj,
            "metadata.managedFields",
            "fmesh-worker Apply",
            format!("{managers:?}"),
        ));
    }
    // get
    let mut args = vec!["functions", "get"];
    args.extend(ids);
    let got = json_out(&step(&mut o, p, u, &args)?);
    for (field, want) in [
        ("className", json!(CLASS)),
        ("jar", json!(PACKAGE)),
        ("inputs", json!(["persistent://public/default/wfn-in"])),
        ("output", json!("persistent://public/default/wfn-out")),
        ("parallelism", json!(1)),
    ] {
        if got[field] != want {
            o.fail(Failure::new(
                "functions get wfn",
                field,
                want.to_string(),
                got[field].to_string(),
            ));
        }
    }
    // list (pulsar-admin prints one name per line)
    let listed = step(
        &mut o,
        p,
        u,
        &[
            "functions",
            "list",
            "--tenant",
            TENANT,
            "--namespace",
            PULSAR_NS,
        ],
    )?;
    if !listed.lines().any(|l| l.trim() == "wfn") {
        o.fail(Failure::new(
            "functions list",
            "-",
            "a line `wfn`",
            listed.trim().to_owned(),
        ));
    }
    // update --parallelism
    let mut args = vec!["functions", "update"];
    args.extend(ids);
    args.extend(["--parallelism", "3"]);
    step(&mut o, p, u, &args)?;
    let r = stored(ctx, f, &name).await;
    check(&mut o, &obj, &r, "/spec/replicas", json!(3));
    check(&mut o, &obj, &r, "/spec/className", json!(CLASS));
    check(&mut o, &obj, &r, "/spec/java/jarLocation", json!(PACKAGE));
    // status (no operator: no StatefulSet yet, so no instances — but a known name is a 200)
    let mut args = vec!["functions", "status"];
    args.extend(ids);
    let status = json_out(&step(&mut o, p, u, &args)?);
    if status.get("numInstances").is_none() {
        o.fail(Failure::new(
            "functions status wfn",
            "numInstances",
            "present",
            status.to_string(),
        ));
    }
    // stop / start / restart
    for (action, replicas, stopped) in [("stop", 0, json!("3")), ("start", 3, Value::Null)] {
        let mut args = vec!["functions", action];
        args.extend(ids);
        step(&mut o, p, u, &args)?;
        let r = stored(ctx, f, &name).await;
        check(&mut o, &obj, &r, "/spec/replicas", json!(replicas));
        check(
            &mut o,
            &obj,
            &r,
            "/metadata/annotations/fmesh.io~1stopped-parallelism",
            stopped,
        );
    }
    let mut args = vec!["functions", "restart"];
    args.extend(ids);
    step(&mut o, p, u, &args)?;
    let r = stored(ctx, f, &name).await;
    if r.as_ref()
        .and_then(|r| r.pointer("/spec/pod/annotations/fmesh.io~1restarted-at"))
        .is_none()
    {
        o.fail(Failure::new(
            &obj,
            "spec.pod.annotations[fmesh.io/restarted-at]",
            "set",
            "absent",
        ));
    }
    // per-instance restart is refused with a reason
    let mut args = vec!["functions", "restart", "--instance-id", "0"];
    args.extend(ids);
    match admin(p, u, &args) {
        Ok(_) => o.fail(Failure::new(
            "functions restart --instance-id 0",
            "-",
            "refused (400)",
            "exit 0",
        )),
        Err(e) if !e.contains("one StatefulSet") => o.fail(Failure::new(
            "functions restart --instance-id 0",
            "-",
            "the reason",
            e,
        )),
        Err(_) => {}
    }
    // delete
    let mut args = vec!["functions", "delete"];
    args.extend(ids);
    step(&mut o, p, u, &args)?;
    if stored(ctx, f, &name).await.is_some() {
        o.fail(Failure::new(&obj, "-", "deleted", "still there"));
    }
    let mut args = vec!["functions", "get"];
    args.extend(ids);
    match admin(p, u, &args) {
        Ok(out) => o.fail(Failure::new("functions get (deleted)", "-", "404", out)),
        Err(e) if !e.contains("doesn't exist") => o.fail(Failure::new(
            "functions get (deleted)",
            "-",
            "Function wfn doesn't exist",
            e,
        )),
        Err(_) => {}
    }
    o.note(format!(
        "pulsar-admin session against {url}: {:.1}s",
        t0.elapsed().as_secs_f64()
    ));
    let _ = w.stop().await;
    Ok(o)
}
