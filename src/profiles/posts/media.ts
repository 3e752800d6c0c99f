/** An image or video attached to a post, as stored in `posts.media`. */
export interface PostMedia {
  kind: 'image' | 'video';
  /** The blob's CID (`ref.$link`). */
  id: string | null;
  mime_type: string | null;
  size: number | null;
  /** `width:height`, when the post says. */
  aspect_ratio: string | null;
}

type Json = Record<string, unknown>;

const obj = (v: unknown): Json | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined);

/**
 * The images and video of a post's `record.embed`: `app.bsky.embed.images`, `app.bsky.embed.video`,
 * and the media half of `app.bsky.embed.recordWithMedia`.
 */
export function mediaOf(embed: unknown): PostMedia[] {
  const e = obj(embed);
  if (!e) return [];
  const type = e.$type;
  if (type === 'app.bsky.embed.recordWithMedia') return mediaOf(e.media);
  if (type === 'app.bsky.embed.images' && Array.isArray(e.images)) {
    return e.images.flatMap((img: unknown) => {
      const i = obj(img);
      return i ? [blobMedia('image', i.image, i.aspectRatio)] : [];
    });
  }
  if (type === 'app.bsky.embed.video') return [blobMedia('video', e.video, e.aspectRatio)];
  return [];
}

function blobMedia(kind: PostMedia['kind'], blob: unknown, aspect: unknown): PostMedia {
  const b = obj(blob) ?? {};
  const ref = obj(b.ref);
  const a = obj(aspect);
  const id = typeof ref?.$link === 'string' ? ref.$link : typeof b.cid === 'string' ? b.cid : null;
  return {
    kind,
    id,
    mime_type: typeof b.mimeType === 'string' ? b.mimeType : null,
    size: typeof b.size === 'number' ? b.size : null,
    aspect_ratio: a && typeof a.width === 'number' && typeof a.height === 'number' ? `${a.width}:${a.height}` : null,
  };
}
