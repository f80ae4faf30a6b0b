//! Running `az` with bounded, wiped output buffers.

use zeroize::Zeroizing;

/// The most of az's standard output that is read (its JSON is about 2 KiB). Each output is read
/// into one buffer of this size, allocated up front, so no reallocation leaves a copy of the
/// token behind, and the buffer is wiped when dropped.
const MAX_OUTPUT_BYTES: usize = 64 * 1024;

/// What az printed, in buffers that are wiped when dropped (standard error may quote a token).
pub(super) struct Output {
    pub(super) status: std::process::ExitStatus,
    pub(super) stdout: Zeroizing<Vec<u8>>,
    pub(super) stderr: Zeroizing<Vec<u8>>,
}

/// Why running az failed.
pub(super) enum Run {
    /// It could not be started.
    Spawn(std::io::Error),
    /// Reading its output failed, or there was too much of it (message names no content).
    Output(String),
}

/// Runs `command` and reads both outputs into wiped, fixed-size buffers.
pub(super) async fn run(command: &mut tokio::process::Command) -> std::result::Result<Output, Run> {
    let mut child = command.spawn().map_err(Run::Spawn)?;
    let (stdout, stderr) = (child.stdout.take(), child.stderr.take());
    let (status, stdout, stderr) =
        futures_util::future::try_join3(child.wait(), read_capped(stdout, false), read_capped(stderr, true))
            .await
            .map_err(|e| Run::Output(format!("could not read the output of `az account get-access-token`: {e}")))?;
    Ok(Output { status, stdout, stderr })
}

/// Reads `pipe` to its end into a buffer of [`MAX_OUTPUT_BYTES`]. More than that is an error,
/// unless `truncate`, when the rest is read and dropped (wiped) so the process can finish.
async fn read_capped(
    pipe: Option<impl tokio::io::AsyncRead + Unpin>,
    truncate: bool,
) -> std::io::Result<Zeroizing<Vec<u8>>> {
    use tokio::io::AsyncReadExt as _;
    let mut buffer = Zeroizing::new(vec![0u8; MAX_OUTPUT_BYTES]);
    let mut filled = 0;
    if let Some(mut pipe) = pipe {
        let mut scratch = Zeroizing::new([0u8; 512]);
        loop {
            let n = if filled < buffer.len() {
                let n = pipe.read(&mut buffer[filled..]).await?;
                filled += n;
                n
            } else if truncate {
                pipe.read(&mut scratch[..]).await?
            } else {
                return Err(std::io::Error::other(format!("it printed more than {MAX_OUTPUT_BYTES} bytes")));
            };
            if n == 0 {
                break;
            }
        }
    }
    buffer.truncate(filled); // no reallocation: the wipe on drop covers the whole buffer
    Ok(buffer)
}
