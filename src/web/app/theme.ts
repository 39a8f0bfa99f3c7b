import { type CSSVariablesResolver, createTheme } from '@mantine/core';

/** Calm and readable: one blue, dark enough for white text (WCAG AA), system fonts, visible focus. */
export const theme = createTheme({
  primaryColor: 'blue',
  primaryShade: { light: 8, dark: 6 },
  focusRing: 'auto',
  // No transitions for people who ask their system for less motion (and for the browser tests,
  // whose axe scans would otherwise catch a dialog half faded in).
  respectReducedMotion: true,
  defaultRadius: 'sm',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", Ubuntu, Cantarell, "Helvetica Neue", Arial, sans-serif',
  headings: { fontWeight: '650' },
  components: {
    Alert: { styles: { title: { color: 'var(--mantine-color-text)' } } },
    Modal: { styles: { title: { fontWeight: 700, fontSize: 'var(--mantine-font-size-lg)' } } },
    Badge: { defaultProps: { variant: 'outline', radius: 'sm', size: 'lg' }, styles: { label: { textTransform: 'none', fontWeight: 600 } } },
  },
});

/** Mantine's dimmed grey and error red are too pale for small text (WCAG AA asks 4.5:1): darker ones. */
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: { '--mantine-color-dimmed': '#545b63', '--mantine-color-placeholder': '#6b7280', '--mantine-color-error': '#c92a2a' },
  dark: {},
});
