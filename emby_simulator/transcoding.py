"""TranscodingInfo of a session Emby transcodes (absent for direct play and direct stream)."""

from __future__ import annotations

from typing import Any

from .models import Item

# A Roku-class target: 720p H.264 + stereo AAC in HLS segments.
TARGET_WIDTH = 1280
TARGET_HEIGHT = 720
VIDEO_BITRATE = 3_616_000
AUDIO_BITRATE = 192_000


def transcoding_info(item: Item, position_ticks: int) -> dict[str, Any]:
    """What Emby reports while it converts an item: codecs, size, progress and the reasons."""
    progress = 0.0
    if item.runtime_ticks:
        progress = round(min(100.0, 100.0 * position_ticks / item.runtime_ticks), 1)
    if item.type == "Audio":
        return {
            "AudioCodec": "mp3",
            "Container": "mp3",
            "IsVideoDirect": False,
            "IsAudioDirect": False,
            "Bitrate": AUDIO_BITRATE,
            "AudioBitrate": AUDIO_BITRATE,
            "AudioChannels": 2,
            "CompletionPercentage": progress,
            "TranscodeReasons": ["AudioCodecNotSupported"],
        }
    return {
        "AudioCodec": "aac",
        "VideoCodec": "h264",
        "SubProtocol": "hls",
        "Container": "ts",
        "IsVideoDirect": False,
        "IsAudioDirect": False,
        "Bitrate": VIDEO_BITRATE + AUDIO_BITRATE,
        "AudioBitrate": AUDIO_BITRATE,
        "VideoBitrate": VIDEO_BITRATE,
        "Framerate": 23.976,
        "Width": TARGET_WIDTH,
        "Height": TARGET_HEIGHT,
        "AudioChannels": 2,
        "CompletionPercentage": progress,
        "TranscodeReasons": ["VideoCodecNotSupported", "ContainerBitrateExceedsLimit"],
        "CurrentThrottle": -1,
        "VideoDecoderIsHardware": False,
        "VideoEncoderIsHardware": False,
    }
