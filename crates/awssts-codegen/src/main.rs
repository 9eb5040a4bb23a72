//! `cargo run -p awssts-codegen`: rewrite every generated file from the model.

use std::process::ExitCode;

fn main() -> ExitCode {
    let root = awssts_codegen::workspace_root();
    let reference = awssts_codegen::reference_dir(&root);
    let files = match awssts_codegen::generate_all(&reference) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("awssts-codegen: {e}");
            return ExitCode::FAILURE;
        }
    };
    for file in files {
        let path = root.join(&file.path);
        if let Some(dir) = path.parent()
            && let Err(e) = std::fs::create_dir_all(dir)
        {
            eprintln!("awssts-codegen: cannot create {}: {e}", dir.display());
            return ExitCode::FAILURE;
        }
        if let Err(e) = std::fs::write(&path, file.text) {
            eprintln!("awssts-codegen: cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        println!("wrote {}", file.path.display());
    }
    ExitCode::SUCCESS
}
