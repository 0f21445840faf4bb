#!/bin/sh
# Regenerates the simulator's media assets (run from the assets/ directory; needs ffmpeg with libx264, libwebp, libfreetype).
set -e
FONT=/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf
LABEL="fontfile=$FONT:fontcolor=white:shadowcolor=black@0.5:shadowx=2:shadowy=2"
GRAD="gradients=s=320x180:c0=0x1e3a8a:c1=0x9333ea:c2=0xf97316:c3=0x06b6d4:nb_colors=4:speed=0.06:seed=7:d=3:r=24"
TITLE="drawtext=$LABEL:text='sora-tui sim':fontsize=22:x=(w-text_w)/2:y=(h-text_h)/2"
MARK="drawtext=fontfile=$FONT:text='Sora':fontcolor=white@0.7:fontsize=14:x=w-text_w-8:y=h-text_h-8"
H264="-c:v libx264 -profile:v main -preset veryslow -crf 20 -pix_fmt yuv420p -movflags +faststart -an"
ffmpeg -y -f lavfi -i "$GRAD" -vf "$TITLE,$MARK" $H264 sample.mp4
ffmpeg -y -f lavfi -i "$GRAD" -vf "$TITLE" $H264 sample_clean.mp4
ffmpeg -y -ss 1.5 -i sample.mp4 -frames:v 1 -c:v libwebp -quality 80 thumbnail.webp
ffmpeg -y -f lavfi -i "gradients=s=360x360:c0=0x0f766e:c1=0x22d3ee:c2=0x1e3a8a:nb_colors=3:seed=3:d=1:r=1" \
  -vf "drawtext=$LABEL:text='sim image':fontsize=30:x=(w-text_w)/2:y=(h-text_h)/2" -frames:v 1 image.png
ffmpeg -y -f lavfi -i "gradients=s=540x360:c0=0x7c2d12:c1=0xfb923c:c2=0x9d174d:nb_colors=3:seed=5:d=1:r=1" \
  -vf "drawtext=$LABEL:text='sim image':fontsize=30:x=(w-text_w)/2:y=(h-text_h)/2" -frames:v 1 -c:v libwebp -quality 85 image_landscape.webp
ffmpeg -y -f lavfi -i "gradients=s=360x540:c0=0x312e81:c1=0xa78bfa:c2=0x0e7490:nb_colors=3:seed=9:d=1:r=1" \
  -vf "drawtext=$LABEL:text='sim image':fontsize=30:x=(w-text_w)/2:y=(h-text_h)/2" -frames:v 1 -c:v libwebp -quality 85 image_portrait.webp
ffmpeg -y -f lavfi -i "gradients=s=256x256:c0=0xbe185d:c1=0x7c3aed:nb_colors=2:seed=11:d=1:r=1" \
  -vf "drawtext=$LABEL:text='D':fontsize=140:x=(w-text_w)/2:y=(h-text_h)/2" -frames:v 1 -c:v libwebp -quality 85 profile.webp
