//! Rendering screens without a display: a Slint platform whose only window
//! is a `MinimalSoftwareWindow`, drawn by the software renderer into a
//! buffer that becomes a PNG.

use slint::platform::software_renderer::{MinimalSoftwareWindow, RepaintBufferType};
use slint::platform::{Platform, WindowAdapter};
use slint::{PhysicalSize, PlatformError, Rgb8Pixel, SharedPixelBuffer};
use std::rc::Rc;

struct Headless {
    window: Rc<MinimalSoftwareWindow>,
}

impl Platform for Headless {
    fn create_window_adapter(&self) -> Result<Rc<dyn WindowAdapter>, PlatformError> {
        Ok(self.window.clone())
    }
}

/// Why a screen could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("a Slint platform is already set up in this process: {0}")]
    Platform(#[from] slint::platform::SetPlatformError),
    #[error(transparent)]
    Slint(#[from] PlatformError),
    #[error("size {0}x{1}: allowed from 320x320 to 4096x4096")]
    Size(u32, u32),
}

/// Install the headless platform for this thread's UI; returns the window
/// every component will be shown in. Call once, before creating components.
pub fn install() -> Result<Rc<MinimalSoftwareWindow>, RenderError> {
    let window = MinimalSoftwareWindow::new(RepaintBufferType::NewBuffer);
    slint::platform::set_platform(Box::new(Headless {
        window: window.clone(),
    }))?;
    Ok(window)
}

/// Draw `window` at `width` x `height`.
pub fn render(
    window: &MinimalSoftwareWindow,
    width: u32,
    height: u32,
) -> Result<SharedPixelBuffer<Rgb8Pixel>, RenderError> {
    if !(320..=4096).contains(&width) || !(320..=4096).contains(&height) {
        return Err(RenderError::Size(width, height));
    }
    window.set_size(PhysicalSize::new(width, height));
    let mut buffer = SharedPixelBuffer::<Rgb8Pixel>::new(width, height);
    window.request_redraw();
    window.draw_if_needed(|renderer| {
        renderer.render(buffer.make_mut_slice(), width as usize);
    });
    Ok(buffer)
}
