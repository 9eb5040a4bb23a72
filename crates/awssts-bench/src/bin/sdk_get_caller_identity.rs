//! The smallest useful aws-sdk-sts program: load the default configuration
//! (environment, profiles, default credential chain) as `aws-config` does,
//! call GetCallerIdentity once and print the answer as JSON. `cli_startup`
//! times it and measures its size beside `awssts get-caller-identity`.
//!
//! The endpoint comes from `AWS_ENDPOINT_URL`, as any SDK user would point it
//! at a local server.

use std::process::ExitCode;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let client = aws_sdk_sts::Client::new(&config);
    match client.get_caller_identity().send().await {
        Ok(out) => {
            println!(
                "{{\n    \"UserId\": \"{}\",\n    \"Account\": \"{}\",\n    \"Arn\": \"{}\"\n}}",
                out.user_id().unwrap_or_default(),
                out.account().unwrap_or_default(),
                out.arn().unwrap_or_default()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{}", aws_sdk_sts::error::DisplayErrorContext(&e));
            ExitCode::from(254)
        }
    }
}
