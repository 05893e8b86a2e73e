/** Inline SVG icons (no icon font, nothing fetched). Decorative unless given a title. */
import type { ReactNode, SVGProps } from 'react';

type IconProps = SVGProps<SVGSVGElement> & { title?: string };

function icon(paths: ReactNode) {
  return function Icon({ title, ...props }: IconProps) {
    return (
      <svg
        viewBox="0 0 24 24"
        width="1em"
        height="1em"
        fill="none"
        stroke="currentColor"
        strokeWidth={1.8}
        strokeLinecap="round"
        strokeLinejoin="round"
        aria-hidden={title ? undefined : true}
        role={title ? 'img' : undefined}
        focusable="false"
        {...props}
      >
        {title ? <title>{title}</title> : null}
        {paths}
      </svg>
    );
  };
}

export const CompassIcon = icon(
  <>
    <circle cx="12" cy="12" r="9.5" />
    <path d="m15.8 8.2-2.3 5.3-5.3 2.3 2.3-5.3z" />
  </>,
);
export const HeartIcon = icon(
  <path d="M12 20.5s-7.5-4.6-9.2-9.2C1.6 8 3.6 4.5 7.1 4.5c2 0 3.5 1.1 4.9 2.9 1.4-1.8 2.9-2.9 4.9-2.9 3.5 0 5.5 3.5 4.3 6.8-1.7 4.6-9.2 9.2-9.2 9.2z" />,
);
export const KeyIcon = icon(
  <>
    <circle cx="8" cy="15" r="4.5" />
    <path d="m11.2 11.8 8.3-8.3M16.5 6.5l2.5 2.5M14 9l2 2" />
  </>,
);
export const ShieldIcon = icon(
  <>
    <path d="M12 2.8 4.5 5.6v5.8c0 4.6 3.2 8.3 7.5 9.8 4.3-1.5 7.5-5.2 7.5-9.8V5.6z" />
    <path d="m8.8 12 2.2 2.2 4.3-4.4" />
  </>,
);
export const MailIcon = icon(
  <>
    <rect x="3" y="5" width="18" height="14" rx="2.5" />
    <path d="m3.8 6.5 8.2 6.3 8.2-6.3" />
  </>,
);
export const RefreshIcon = icon(
  <>
    <path d="M20 11.5A8 8 0 0 0 6.1 6.6L4 8.7" />
    <path d="M4 4v4.7h4.7M4 12.5a8 8 0 0 0 13.9 4.9l2.1-2.1" />
    <path d="M20 20v-4.7h-4.7" />
  </>,
);
export const LogOutIcon = icon(
  <>
    <path d="M9.5 20.5H5.8a1.8 1.8 0 0 1-1.8-1.8V5.3c0-1 .8-1.8 1.8-1.8h3.7" />
    <path d="m15.5 16.5 4.5-4.5-4.5-4.5M20 12H9.5" />
  </>,
);
export const GlobeIcon = icon(
  <>
    <circle cx="12" cy="12" r="9.5" />
    <path d="M2.5 12h19M12 2.5c2.6 2.6 4 6 4 9.5s-1.4 6.9-4 9.5c-2.6-2.6-4-6-4-9.5s1.4-6.9 4-9.5z" />
  </>,
);
export const UserIcon = icon(
  <>
    <circle cx="12" cy="8" r="4" />
    <path d="M4 20.5c1.2-3.6 4.3-5.5 8-5.5s6.8 1.9 8 5.5" />
  </>,
);
export const ArrowRightIcon = icon(<path d="M4.5 12h15M13.5 6l6 6-6 6" />);
export const ExternalIcon = icon(
  <>
    <path d="M14 4h6v6M20 4l-9 9" />
    <path d="M18 14v4.5c0 .8-.7 1.5-1.5 1.5h-11c-.8 0-1.5-.7-1.5-1.5v-11C4 6.7 4.7 6 5.5 6H10" />
  </>,
);
export const AlertIcon = icon(
  <>
    <path d="M12 3.2 1.9 20.5h20.2z" />
    <path d="M12 9.5v5M12 17.6v.1" />
  </>,
);
export const CheckIcon = icon(<path d="m5 12.5 4.5 4.5L19.5 7" />);
export const InfoIcon = icon(
  <>
    <circle cx="12" cy="12" r="9.5" />
    <path d="M12 11v6M12 7.4v.1" />
  </>,
);
export const EyeIcon = icon(
  <>
    <path d="M2 12s3.6-6.5 10-6.5S22 12 22 12s-3.6 6.5-10 6.5S2 12 2 12z" />
    <circle cx="12" cy="12" r="3" />
  </>,
);
export const EyeOffIcon = icon(
  <>
    <path d="M3 3l18 18M10.6 5.6c.5-.1.9-.1 1.4-.1 6.4 0 10 6.5 10 6.5a17 17 0 0 1-3 3.7M6.4 6.4C3.7 8.2 2 12 2 12s3.6 6.5 10 6.5c1.9 0 3.5-.5 4.9-1.3" />
    <path d="M9.9 9.9a3 3 0 0 0 4.2 4.2" />
  </>,
);
export const ClockIcon = icon(
  <>
    <circle cx="12" cy="12" r="9.5" />
    <path d="M12 7v5l3.5 2" />
  </>,
);
export const ServerIcon = icon(
  <>
    <rect x="3.5" y="4" width="17" height="7" rx="1.8" />
    <rect x="3.5" y="13" width="17" height="7" rx="1.8" />
    <path d="M7.5 7.5h.1M7.5 16.5h.1" />
  </>,
);
export const CopyIcon = icon(
  <>
    <rect x="8.5" y="8.5" width="12" height="12" rx="2" />
    <path d="M15.5 8.5V5.5a2 2 0 0 0-2-2h-8a2 2 0 0 0-2 2v8a2 2 0 0 0 2 2h3" />
  </>,
);
export const MapPinIcon = icon(
  <>
    <path d="M12 21.5s-7-6.2-7-11.8a7 7 0 0 1 14 0c0 5.6-7 11.8-7 11.8z" />
    <circle cx="12" cy="9.7" r="2.6" />
  </>,
);
export const ChatIcon = icon(<path d="M4.5 18.5 3 21l3.6-1.2A9 9 0 1 0 4.5 18.5z" />);
