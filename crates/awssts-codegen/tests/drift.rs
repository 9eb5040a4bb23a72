//! Generated code is checked in; this fails when it drifts from the generator
//! (someone edited a generated file, or changed the generator without
//! running `cargo run -p awssts-codegen`).

#[test]
fn checked_in_code_matches_the_generator() {
    let root = awssts_codegen::workspace_root();
    let reference = awssts_codegen::reference_dir(&root);
    let files = match awssts_codegen::generate_all(&reference) {
        Ok(files) => files,
        Err(e) => panic!("generator failed: {e}"),
    };
    let mut stale = Vec::new();
    for file in &files {
        let on_disk = std::fs::read_to_string(root.join(&file.path)).unwrap_or_default();
        if on_disk != file.text {
            stale.push(file.path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "generated files differ from the generator; run `cargo run -p awssts-codegen`: {stale:?}"
    );
}
